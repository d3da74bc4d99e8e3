import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store';
import { shell } from '../../ipc/client';

/**
 * "Add network drive…" (iSCSI). In Electron the address goes to main, which asks the user in its
 * own native dialog before connecting. The browser shell never lets the page name a host
 * (devices.addIscsi answers NOT_SUPPORTED there), so it says how, in words: the two commands run
 * on the host, with the address typed here filled in.
 */
export function AddNetworkDrive() {
  const { t } = useTranslation();
  const addIscsiDrive = useAppStore((s) => s.addIscsiDrive);
  const [open, setOpen] = useState(false);
  const [address, setAddress] = useState('');
  const [adding, setAdding] = useState(false);
  const shown = address.trim() || t('network.placeholder');

  return (
    <div className="network-drive">
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        {t('network.add')}
      </button>
      {open && (
        <form
          className="network-drive-form"
          aria-label={t('network.add')}
          onSubmit={(e) => {
            e.preventDefault();
            if (shell !== 'electron' || !address.trim()) return;
            setAdding(true);
            void addIscsiDrive(address.trim()).then((ok) => {
              setAdding(false);
              if (ok) {
                setOpen(false);
                setAddress('');
              }
            });
          }}
        >
          {shell !== 'electron' && <p data-testid="network-drive-why">{t('network.browserWhy')}</p>}
          <label>
            {t('network.address')}
            <input value={address} onChange={(e) => setAddress(e.target.value)} placeholder={t('network.placeholder')} spellCheck={false} autoFocus />
          </label>
          {shell === 'electron' ? (
            <>
              <button type="submit" disabled={!address.trim() || adding}>
                {t('network.connect')}
              </button>
              <p className="muted">{t('network.electronHint')}</p>
            </>
          ) : (
            <div data-testid="network-drive-commands">
              <p>{t('network.remember')}</p>
              <pre>
                <code>glassmaster drives --add-iscsi {shown}</code>
              </pre>
              <p>{t('network.thisRun')}</p>
              <pre>
                <code>glassmaster serve --iscsi {shown}</code>
              </pre>
              <p className="muted">{t('network.then')}</p>
            </div>
          )}
        </form>
      )}
    </div>
  );
}
