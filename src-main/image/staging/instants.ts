// One Date per instant while a tree is built. Files staged together often share their times (a
// checkout, an unpacked archive, a folder copied at once: 50,000 generated files held 2,458
// distinct modification times), and every Date is an object the garbage collector copies and
// traces for as long as the tree lives (~96 bytes each: two per file were ~10 of the ~80 MB live
// after planning 50,000 files). Sharing is safe because nothing mutates a staged node's dates
// (the tree replaces them: setDates); mtime and atime already shared one Date.

/** Above this many distinct instants the table starts again (memory stays bounded; sharing is only an economy). */
const MAX_INSTANTS = 1 << 16;

export class Instants {
  private readonly seen = new Map<number, Date>();

  /** The Date for `ms` (whole milliseconds), the same object every time within this table's bound. */
  at(ms: number): Date {
    let d = this.seen.get(ms);
    if (d === undefined) {
      if (this.seen.size >= MAX_INSTANTS) this.seen.clear();
      d = new Date(ms);
      this.seen.set(ms, d);
    }
    return d;
  }
}
