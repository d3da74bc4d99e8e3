// A labelled group of radio buttons (one fieldset, native radios, so the arrow keys move the choice):
// the burn forms' verify level, close/finalize and similar choices, written once.
export function RadioGroup<T extends string>(p: { legend: string; name: string; values: readonly T[]; value: T; onChange: (v: T) => void; label: (v: T) => string }) {
  return (
    <fieldset className="radio-group">
      <legend>{p.legend}</legend>
      {p.values.map((v) => (
        <label key={v} className="check">
          <input type="radio" name={p.name} value={v} checked={p.value === v} onChange={() => p.onChange(v)} />
          {p.label(v)}
        </label>
      ))}
    </fieldset>
  );
}
