// i18next set up once for the renderer (and for store tests in Node): English now, strings ready
// for translation (add a resource bundle per language).
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';
import { enJobs } from './en-jobs';
import { enChecks } from './en-checks';
import { enAudio } from './en-audio';
import { enMoreJobs } from './en-more-jobs';
import { enNetwork } from './en-network';

export const i18n = i18next.createInstance();
void i18n.use(initReactI18next).init({
  lng: 'en',
  fallbackLng: 'en',
  resources: { en: { translation: { ...en, ...enJobs, ...enChecks, ...enAudio, ...enMoreJobs, ...enNetwork, jobs: { ...en.jobs, ...enChecks.jobsExtra, ...enAudio.jobsExtra, ...enMoreJobs.jobsExtra }, jobrun: { ...enJobs.jobrun, ...enMoreJobs.jobrunExtra } } } },
  interpolation: { escapeValue: false },
  initAsync: false,
});

export const t = i18n.t.bind(i18n);
