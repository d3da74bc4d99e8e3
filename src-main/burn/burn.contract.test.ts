// The burn contract on every media family of the virtual recorder (burn/contract/burn-contract.ts).
import { describeBurnContract } from './contract/burn-contract';

describeBurnContract({ name: 'CD-R Track-At-Once, finalized', media: 'cd-r', options: { writeMode: 'tao' }, strategy: 'CD TAO', status: 'complete', profile: 'CD-R' });
describeBurnContract({ name: 'CD-R Track-At-Once, session closed', media: 'cd-r', options: { writeMode: 'tao', close: 'session' }, strategy: 'CD TAO', status: 'appendable', profile: 'CD-R', appendable: true });
describeBurnContract({ name: 'CD-R Session-At-Once', media: 'cd-r', options: { writeMode: 'sao' }, strategy: 'CD SAO', status: 'complete', profile: 'CD-R' });
describeBurnContract({ name: 'CD-RW Track-At-Once', media: 'cd-rw', options: { close: 'session' }, strategy: 'CD TAO', status: 'appendable', profile: 'CD-RW', appendable: true });
describeBurnContract({ name: 'DVD-R Disc-At-Once', media: 'dvd-r', options: {}, strategy: 'DVD-R DAO', status: 'complete', profile: 'DVD-R' });
describeBurnContract({ name: 'DVD-R incremental', media: 'dvd-r', options: { close: 'session' }, strategy: 'DVD-R incremental', status: 'appendable', profile: 'DVD-R', appendable: true });
describeBurnContract({ name: 'DVD-RW sequential Disc-At-Once', media: 'dvd-rw', options: { writeMode: 'dao' }, strategy: 'DVD-R DAO', status: 'complete', profile: 'DVD-RW seq' });
describeBurnContract({
  name: 'DVD-RW restricted overwrite', media: 'dvd-rw', options: {}, strategy: 'random overwrite', status: 'complete', profile: 'DVD-RW RO',
  before: async (svc, address) => void (await svc.format(address)),
});
describeBurnContract({ name: 'DVD+R, finalized', media: 'dvd+r', options: {}, strategy: 'DVD+R', status: 'complete', profile: 'DVD+R' });
describeBurnContract({ name: 'DVD+R, session closed', media: 'dvd+r', options: { close: 'session' }, strategy: 'DVD+R', status: 'appendable', profile: 'DVD+R', appendable: true });
describeBurnContract({ name: 'DVD+R DL with a given layer break', media: 'dvd+r-dl', options: { layerBreak: 1024 }, strategy: 'DVD+R DL', status: 'complete', profile: 'DVD+R DL' });
describeBurnContract({ name: 'DVD+RW', media: 'dvd+rw', options: {}, strategy: 'random overwrite', status: 'complete', profile: 'DVD+RW', formats: true });
describeBurnContract({ name: 'DVD-RAM', media: 'dvd-ram', options: {}, strategy: 'random overwrite', status: 'complete', profile: 'DVD-RAM' });
describeBurnContract({ name: 'BD-R SRM', media: 'bd-r', options: { close: 'session' }, strategy: 'BD-R SRM', status: 'appendable', profile: 'BD-R SRM', appendable: true });
describeBurnContract({ name: 'BD-R with spare areas', media: 'bd-r', options: { spareAreas: true }, strategy: 'random overwrite', status: 'complete', profile: 'BD-R RRM', formats: true });
describeBurnContract({ name: 'BD-RE', media: 'bd-re', options: {}, strategy: 'random overwrite', status: 'complete', profile: 'BD-RE', formats: true });
