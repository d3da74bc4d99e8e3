import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A modal dialog: labelled by its heading, focus moved into it on open (the element marked
 * data-autofocus, else the first control) and given back on close,
 * Tab kept inside, Escape calls onEscape (closing, or asking first while a job runs).
 */
export function Modal({ labelledBy, onEscape, children, testId, className }: { labelledBy: string; onEscape: () => void; children: ReactNode; testId?: string; className?: string }) {
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>('[data-autofocus]') ?? ref.current?.querySelector<HTMLElement>('input:not([disabled]), select:not([disabled]), button:not([disabled])');
    (first ?? ref.current)?.focus();
    return () => before?.focus?.();
  }, []);

  return (
    <div className="modal-backdrop">
      <div
        ref={ref}
        className={`modal${className ? ` ${className}` : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={labelledBy}
        tabIndex={-1}
        data-testid={testId}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            e.preventDefault();
            onEscape();
          } else if (e.key === 'Tab') {
            const focusable = [...(ref.current?.querySelectorAll<HTMLElement>('button:not([disabled]), input:not([disabled]), select:not([disabled]), summary, [tabindex="0"]') ?? [])];
            if (!focusable.length) return;
            const [a, z] = [focusable[0], focusable[focusable.length - 1]];
            if (e.shiftKey && document.activeElement === a) {
              e.preventDefault();
              z.focus();
            } else if (!e.shiftKey && document.activeElement === z) {
              e.preventDefault();
              a.focus();
            }
          }
        }}
      >
        {children}
      </div>
    </div>
  );
}
