// UTC calendar fields of a time value by arithmetic: the encoders write a date into every
// directory record and File Entry (several per file), and a Date object per field set costs more
// than the encoding itself. Proleptic Gregorian, as Date: days are counted in 400-year eras from
// 0000-03-01 (H. Hinnant's civil_from_days).

/**
 * Fills `fields` with year, month (1–12), day, hours, minutes, seconds, milliseconds of `ms` since
 * 1970 (an integer, as Date.getTime() gives) and returns it. Hot callers pass an array they own
 * (no module state: the image engine runs several builds in one process).
 */
export function utcFields(ms: number, fields: Int32Array = new Int32Array(7)): Int32Array {
  const days = Math.floor(ms / 86400000);
  let rest = ms - days * 86400000;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  fields[0] = yoe + era * 400 + (month <= 2 ? 1 : 0);
  fields[1] = month;
  fields[2] = doy - Math.floor((153 * mp + 2) / 5) + 1;
  fields[3] = Math.floor(rest / 3600000);
  rest -= fields[3] * 3600000;
  fields[4] = Math.floor(rest / 60000);
  rest -= fields[4] * 60000;
  fields[5] = Math.floor(rest / 1000);
  fields[6] = rest - fields[5] * 1000;
  return fields;
}
