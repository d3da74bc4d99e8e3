import { useState, type InputHTMLAttributes } from 'react';

/**
 * A text field that sends its value when it is left or Enter is pressed (one edit per change, not
 * per keystroke), and shows main's value again when main refused it or changed it. Escape restores.
 */
export function Field({ label, value, onCommit, testId, ...rest }: { label: string; value: string | undefined; onCommit: (v: string) => Promise<unknown> | void; testId?: string } & Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'>) {
  const [draft, setDraft] = useState<{ base: string; text: string } | undefined>();
  const current = value ?? '';
  // A draft belongs to the value it was typed over: when main's value changes, the field shows it.
  const text = draft && draft.base === current ? draft.text : current;
  const commit = () => {
    if (!draft || draft.base !== current || draft.text === current) return setDraft(undefined);
    // The typed text stays until main answers (its snapshot then shows the value, or the old one if refused).
    void Promise.resolve(onCommit(draft.text)).finally(() => setDraft(undefined));
  };
  return (
    <label className="field">
      <span>{label}</span>
      <input
        {...rest}
        value={text}
        data-testid={testId}
        onChange={(e) => setDraft({ base: current, text: e.target.value })}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            commit();
          } else if (e.key === 'Escape' && draft) {
            e.stopPropagation();
            setDraft(undefined);
          }
        }}
      />
    </label>
  );
}
