// CHECK CONDITION inside the virtual recorder: handlers throw a Check, run() turns it into sense.
import { SenseKey } from '../../mmc/sense';

/** A CHECK CONDITION raised while handling a command. */
export class Check {
  constructor(readonly key: number, readonly asc: number, readonly ascq: number, readonly information?: number, readonly progress?: number) {}
}
export const fail = (key: number, asc: number, ascq = 0, information?: number): never => {
  throw new Check(key, asc, ascq, information);
};
export const illegal = (asc = 0x24, ascq = 0) => fail(SenseKey.ILLEGAL_REQUEST, asc, ascq);
