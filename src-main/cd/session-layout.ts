// Where a CD recorder puts the next session after a data track written Track-At-Once (Orange Book
// multisession, MMC-6 §4.2.3): the track's 2 run-out blocks (link/run-out, counted in the track and
// unreadable), the closed session's lead-out — 6,750 blocks after the first session, 2,250 after
// later ones — the next session's lead-in (4,500) and its first track's pregap (150). One function
// for every place that must agree with a recorder on it: a .cue's sessions burned (`burn --cue`)
// and a multisession CD copied session by session (both write TAO).

/** A TAO data track's run-out blocks: part of the track, answered as unrecorded (or damaged) by drives. */
export const CD_TAO_RUN_OUT = 2;
const LEAD_IN = 4500;
const FIRST_LEAD_OUT = 6750;
const NEXT_LEAD_OUT = 2250;
const PREGAP = 150;

/**
 * The first sector of the next session's track when the previous session's one data track ends
 * (its data, run-out excluded) at `dataEnd` and was written TAO; `afterFirst`: that was session 1.
 */
export function cdTaoNextSessionStart(dataEnd: number, afterFirst: boolean): number {
  return dataEnd + CD_TAO_RUN_OUT + (afterFirst ? FIRST_LEAD_OUT : NEXT_LEAD_OUT) + LEAD_IN + PREGAP;
}
