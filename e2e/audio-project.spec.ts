// The audio CD end to end in Chromium against `glassmaster serve` with a virtual CD-R (paced, so
// the burn's progress can be watched): the "Audio CD" job, tracks from the file pane (Add button on
// a multi-selection, double-click, drag onto a row) and a synthesized OS drop, reordering by drag and by Alt+↑/↓, durations, the
// minutes meter against 74/80 minutes and the CD-R's ATIP, a pause and gapless, the CD-TEXT editor
// (prefilled from tags), the join preview, the writing modes with the planner's reasons, a burn in
// SAO with progress and read-back, the disc read back to CUE/BIN and judged by cd-info, "Save as
// CUE/BIN" judged by cd-info, and the project saved, reopened and reported when a source changed.
// A screenshot per step is kept in test-results/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { expect, haveChromium, hostRow, startServe, stepShots, stopServe, test, gm, collectErrors, connect } from './fixtures';
import { hasTool, inCI } from '../src-main/testing/peer-tools';

test.skip(!haveChromium, 'Chromium is not installed');
const tools = ['sox', 'flac', 'cd-info'];
for (const tool of tools) if (!hasTool(tool) && inCI) throw new Error(`[CI] ${tool} is missing`);
test.skip(!tools.every(hasTool), `needs ${tools.join(', ')}`);

const shot = stepShots();

let browser: Browser;
// The worker's one Chromium (fixtures.ts), shared by every spec the worker runs.
test.beforeAll(({ browserInstance }) => {
  browser = browserInstance;
});

const titles = async (page: Page) => await page.getByTestId('audio-tracks').getByTestId('track-title').allTextContents();
const lengths = async (page: Page) => await page.getByTestId('audio-tracks').getByTestId('track-length').allTextContents();
const trackRow = (page: Page, title: string) => page.getByTestId('audio-tracks').getByTestId('track-row').filter({ has: page.getByTestId('track-title').getByText(title, { exact: true }) });
/** Types into a CD-TEXT/settings field and leaves it with Enter (one edit per field). */
const setField = async (page: Page, testId: string, value: string) => {
  const f = page.getByTestId(testId);
  await f.fill(value);
  await f.press('Enter');
  await expect(f).toHaveValue(value);
};
/** "Track N: LBA …" lines of cd-info on a CUE sheet. */
const cdInfoTracks = (cue: string) => execFileSync('cd-info', ['--no-header', '--no-device-info', '--cue-file', cue], { encoding: 'latin1' });

test('audio CD: tracks from the file pane and an OS drop, reorder, gap and gapless, CD-TEXT, preview, burn SAO with read-back, CUE/BIN, save and reopen', async ({}, info) => {
  test.setTimeout(180_000);
  const home = mkdtempSync(join(tmpdir(), 'gm-e2e-audio-'));
  const state = mkdtempSync(join(tmpdir(), 'gm-e2e-audio-state-'));
  const music = join(home, 'music');
  mkdirSync(music);
  const sox = (name: string, seconds: number, freq: number, rate = 44100) => execFileSync('sox', ['-n', '-r', String(rate), '-b', '16', '-c', '2', join(music, name), 'synth', String(seconds), 'sine', String(freq), 'vol', '0.3']);
  sox('01 - Morning.wav', 6, 440);
  sox('evening-src.wav', 5.5, 330, 48000);
  sox('noon-src.wav', 5, 550);
  execFileSync('flac', ['-s', '-f', '-T', 'TITLE=Noon', '-T', 'ARTIST=The Band', '-T', 'ALBUM=Day', join(music, 'noon-src.wav'), '-o', join(music, '02 - Noon.flac')]);
  execFileSync('sox', [join(music, 'evening-src.wav'), join(music, '03 - Evening.wav')]);
  rmSync(join(music, 'noon-src.wav'));
  rmSync(join(music, 'evening-src.wav'));
  gm(state, 'virtual', 'create', 'cdr', '--media', 'cd-r');

  const serve = await startServe({ HOME: home, GLASSMASTER_STATE_DIR: state, GLASSMASTER_VIRTUAL_PACING: 'cdr' });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = collectErrors(page);
  try {
    await connect(page, serve.url);

    // The first screen offers the audio CD.
    await expect(page.getByTestId('job-audio')).toContainText('Audio CD');
    await shot(page, info, 'home');
    await page.getByTestId('job-audio').click();
    for (const name of ['Drives', 'Files on this computer', 'Project', 'Disc and CD-TEXT']) await expect(page.getByRole('region', { name, exact: true })).toBeVisible();
    await expect(page.getByTestId('audio-tracks')).toContainText('No tracks yet');
    await page.getByRole('listbox', { name: 'Drives' }).getByRole('option', { name: /virtual:cdr/ }).click();
    await hostRow(page, 'music').dblclick();
    await expect(page.getByTestId('host-path')).toHaveText(music);

    // From the file pane: two files selected (click, Ctrl+click) and added; one double-clicked.
    await hostRow(page, '01 - Morning.wav').click();
    await hostRow(page, '03 - Evening.wav').click({ modifiers: ['Control'] });
    await page.getByRole('button', { name: 'Add to project →' }).click();
    // The first add starts main's decoder workers (probing reads format, length and tags): allow for a loaded machine.
    await expect.poll(() => titles(page), { timeout: 30_000 }).toEqual(['Morning', 'Evening']);
    await hostRow(page, '02 - Noon.flac').dblclick();
    await expect.poll(() => titles(page)).toEqual(['Morning', 'Evening', 'Noon']);
    // Durations as the disc will hold them (the 48 kHz file resampled: 5.5 s exactly).
    expect(await lengths(page)).toEqual(['0:06.00', '0:05.50', '0:05.00']);
    await shot(page, info, 'added-from-pane');

    // Reorder by dragging Noon onto Evening (it goes before it), then by Alt+↑/↓ on the keyboard.
    await trackRow(page, 'Noon').dragTo(trackRow(page, 'Evening'));
    await expect.poll(() => titles(page)).toEqual(['Morning', 'Noon', 'Evening']);
    await trackRow(page, 'Morning').click();
    await page.keyboard.press('Alt+ArrowDown');
    await expect.poll(() => titles(page)).toEqual(['Noon', 'Morning', 'Evening']);
    await expect(page.getByTestId('announcement')).toHaveText('Track Morning is now number 2.');
    await page.keyboard.press('Alt+ArrowUp');
    await expect.poll(() => titles(page)).toEqual(['Morning', 'Noon', 'Evening']);
    await shot(page, info, 'reordered');

    // A synthesized OS drop (a WAV the page makes; the browser shell streams it into main's stash), then removed with Delete.
    await page.getByTestId('audio-tracks').evaluate((el) => {
      const rate = 44100;
      const frames = rate * 4.5;
      const buf = new ArrayBuffer(44 + frames * 4);
      const v = new DataView(buf);
      const str = (o: number, s: string) => [...s].forEach((c, i) => v.setUint8(o + i, c.charCodeAt(0)));
      str(0, 'RIFF'); v.setUint32(4, 36 + frames * 4, true); str(8, 'WAVEfmt '); v.setUint32(16, 16, true); v.setUint16(20, 1, true); v.setUint16(22, 2, true);
      v.setUint32(24, rate, true); v.setUint32(28, rate * 4, true); v.setUint16(32, 4, true); v.setUint16(34, 16, true); str(36, 'data'); v.setUint32(40, frames * 4, true);
      for (let i = 0; i < frames; i++) {
        const s = Math.round(8000 * Math.sin((2 * Math.PI * 700 * i) / rate));
        v.setInt16(44 + i * 4, s, true);
        v.setInt16(46 + i * 4, s, true);
      }
      const dt = new DataTransfer();
      dt.items.add(new File([buf], 'Dropped Tune.wav', { type: 'audio/wav' }));
      for (const type of ['dragenter', 'dragover', 'drop']) el.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await expect.poll(() => titles(page), { timeout: 20_000 }).toEqual(['Morning', 'Noon', 'Evening', 'Dropped Tune']);
    expect((await lengths(page))[3]).toBe('0:04.50');
    await shot(page, info, 'os-drop');
    await trackRow(page, 'Dropped Tune').click();
    await page.keyboard.press('Delete');
    await expect.poll(() => titles(page)).toEqual(['Morning', 'Noon', 'Evening']);
    // Dragged from the file pane onto a row: inserted before it; then removed again.
    await hostRow(page, '03 - Evening.wav').dragTo(trackRow(page, 'Noon'));
    await expect.poll(() => titles(page), { timeout: 20_000 }).toEqual(['Morning', 'Evening', 'Noon', 'Evening']);
    await page.getByTestId('audio-tracks').getByTestId('track-row').nth(1).click();
    await page.getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => titles(page)).toEqual(['Morning', 'Noon', 'Evening']);

    // The minutes meter: 2 s + 6 + 2 + 5 + 2 + 5.5 = 22.5 s against 80 and 74 minutes, and against the CD-R's ATIP.
    await expect(page.getByTestId('minutes-text')).toHaveText('0:23 of 80:00 · 79:37 left.');
    await expect(page.getByTestId('minutes-meter')).toHaveAttribute('data-state', 'ok');
    await page.getByRole('combobox', { name: 'Measure against' }).selectOption('74');
    await expect(page.getByTestId('minutes-text')).toContainText('of 74:00');
    const discOption = page.getByRole('combobox', { name: 'Measure against' }).locator('option[value="disc"]');
    await expect(discOption).toHaveText(/^The CD-R in the drive \(\d+:\d\d\)$/);
    await page.getByRole('combobox', { name: 'Measure against' }).selectOption('disc');
    await expect(page.getByTestId('minutes-text')).toHaveText(/^0:23 of \d+:\d\d /);

    // A 4-second pause before Noon, then gapless (Noon keeps its own pause until it is cleared).
    await trackRow(page, 'Noon').click();
    const editor = page.getByTestId('track-editor');
    await expect(editor.getByRole('heading')).toHaveText('Track 2: Noon');
    await expect(page.getByTestId('edit-track-performer')).toHaveValue('The Band');
    await setField(page, 'edit-track-pause', '4');
    await expect(trackRow(page, 'Noon')).toContainText('+4 s');
    await expect(page.getByTestId('audio-summary')).toHaveText('3 tracks · 0:25');
    // The box shows main's setting: it is checked once main has taken the edit.
    await page.getByTestId('gapless').click();
    await expect(page.getByTestId('gapless')).toBeChecked();
    await expect(trackRow(page, 'Evening')).toContainText('⟷');
    await expect(trackRow(page, 'Noon')).toContainText('+4 s');
    await shot(page, info, 'gap-and-gapless');
    await setField(page, 'edit-track-pause', '');
    await expect(trackRow(page, 'Noon')).toContainText('⟷');
    await expect(page.getByTestId('audio-summary')).toHaveText('3 tracks · 0:19');

    // CD-TEXT: the album and the tracks (Noon's came from its tags), disc ID, genre, UPC/EAN, MCN, ISRC.
    await setField(page, 'album-title', 'A Day in Sound');
    await setField(page, 'album-performer', 'The Band');
    await setField(page, 'disc-id', 'GM-2026-01');
    await page.getByTestId('genre').selectOption({ label: 'Jazz' });
    await setField(page, 'upc-ean', '0123456789012');
    await setField(page, 'mcn', '4006381333931');
    await trackRow(page, 'Morning').click();
    await setField(page, 'edit-track-title', 'Sunrise');
    await setField(page, 'edit-track-songwriter', 'A. Writer');
    await setField(page, 'edit-track-isrc', 'USGM12600001');
    await expect.poll(() => titles(page)).toEqual(['Sunrise', 'Noon', 'Evening']);
    // Text CD-TEXT cannot carry is refused with a sentence, and the field shows the old value again.
    await page.getByTestId('edit-track-message').fill('Ωmega');
    await page.getByTestId('edit-track-message').press('Enter');
    await expect(page.getByRole('alert')).toContainText('ISO 8859-1');
    await expect(page.getByTestId('edit-track-message')).toHaveValue('');
    await shot(page, info, 'cd-text');

    // Preview the join of Noon and Evening: a WAV of 3 s + 3 s, gapless.
    await trackRow(page, 'Evening').click();
    await page.getByTestId('preview-join').click();
    await expect(page.getByTestId('boundary-preview')).toContainText('Join of track 2 → 3');
    // Main decodes both tracks in its workers first (a cold worker compiles the WASM decoder).
    await expect(page.getByTestId('preview-facts')).toHaveText('Track 3 starts at 3.00 s in this clip; pause on the disc 0.00 s.', { timeout: 30_000 });
    const duration = await page.getByTestId('preview-audio').evaluate(async (a: HTMLAudioElement) => {
      if (a.readyState < 1) await Promise.race([new Promise((r) => a.addEventListener('loadedmetadata', r, { once: true })), new Promise((r) => setTimeout(r, 15_000))]);
      return a.duration;
    });
    expect(duration).toBeCloseTo(6, 2);
    await shot(page, info, 'preview');

    // Dark theme.
    await page.getByRole('button', { name: 'Dark theme' }).click();
    await shot(page, info, 'dark');
    await page.getByRole('button', { name: 'Dark theme' }).click();

    // Burn: each mode with the planner's sentence; SAO chosen, the slowest speed so progress shows.
    await page.getByRole('button', { name: 'Burn…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Burn the audio CD' });
    await expect(dialog.getByTestId('burn-disc')).toContainText('CD-R, Blank');
    await expect(dialog.getByTestId('mode-reason-auto')).toContainText('Session-At-Once');
    await expect(dialog.getByTestId('mode-reason-sao')).toContainText('Session-At-Once as asked');
    await expect(dialog.getByTestId('mode-reason-raw96')).toBeVisible();
    // Gapless cannot be written Track-At-Once: the planner says so.
    await expect(dialog.getByTestId('mode-reason-tao')).toContainText(/gapless/);
    await dialog.getByRole('radio', { name: /Session-At-Once \(SAO\)/ }).check();
    await expect(dialog.getByRole('radio', { name: /Read every sector back/ })).toBeChecked();
    const speeds = dialog.getByRole('combobox', { name: 'Speed' });
    const slowest = await speeds.locator('option').last().getAttribute('value');
    await speeds.selectOption(slowest!);
    await shot(page, info, 'burn-dialog');
    await dialog.getByRole('button', { name: 'Burn', exact: true }).click();
    const job = page.getByRole('dialog', { name: /Burning/ });
    await expect(job).toBeVisible();
    await expect(job.getByTestId('job-percent')).toBeVisible({ timeout: 30_000 });
    await shot(page, info, 'burn-progress');
    await expect(job.getByRole('heading', { level: 2 })).toHaveText('Burning — Done', { timeout: 90_000 });
    await expect(job.getByTestId('audio-mode-result')).toContainText('Mode: Session-At-Once (SAO). Session-At-Once as asked');
    await expect(job.getByTestId('verify-outcome')).toContainText(/Verification passed: \d+ sectors read back and identical/);
    await expect(job.getByTestId('job-result')).toContainText('The audio CD is written: 3 tracks');
    await shot(page, info, 'burn-result');
    await job.getByRole('button', { name: 'Close' }).click();

    // Save as CUE/BIN (the author's output), judged by cd-info.
    await page.getByRole('button', { name: 'Save as CUE/BIN…' }).click();
    await page.getByRole('textbox', { name: 'CUE sheet name' }).fill('day.cue');
    await page.getByRole('button', { name: 'Write', exact: true }).click();
    await expect(page.getByTestId('cue-written')).toContainText(join(music, 'day.cue'));
    const authored = cdInfoTracks(join(music, 'day.cue'));
    expect(authored).toMatch(/CD-ROM Track List \(1 - 3\)/);
    expect(authored).toContain('A Day in Sound');
    expect(authored).toContain('Sunrise');
    expect(readFileSync(join(music, 'day.cue'), 'latin1')).toMatch(/CATALOG 4006381333931[\s\S]*ISRC USGM12600001/);
    await shot(page, info, 'cue-bin');

    // Save the project, start a new one, reopen it from the file pane.
    await page.keyboard.press('Control+s');
    await page.getByRole('textbox', { name: 'Project file name' }).fill('day');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByTestId('audio-file')).toHaveText('day.glassmaster');
    const saved = JSON.parse(readFileSync(join(music, 'day.glassmaster'), 'utf8'));
    expect(saved).toMatchObject({ format: 'glassmaster-project', schemaVersion: 2, kind: 'audio', disc: { gapless: true, discId: 'GM-2026-01', genre: { code: 14 } } });
    await page.getByRole('button', { name: 'New audio project' }).click();
    await expect(page.getByTestId('audio-tracks')).toContainText('No tracks yet');
    await hostRow(page, 'day.glassmaster').dblclick();
    await expect.poll(() => titles(page)).toEqual(['Sunrise', 'Noon', 'Evening']);
    await expect(page.getByTestId('album-title')).toHaveValue('A Day in Sound');
    await expect(page.getByTestId('gapless')).toBeChecked();
    await expect(page.getByTestId('announcement')).toContainText('Opened the audio project');
    await shot(page, info, 'reopened');

    // A source changed since the save: opening from the recent list says so.
    utimesSync(join(music, '03 - Evening.wav'), new Date(2021, 1, 1), new Date(2021, 1, 1));
    await page.getByRole('button', { name: '← All jobs' }).click();
    await page.getByRole('button', { name: /A Day in Sound — .*day\.glassmaster/ }).click();
    await expect(page.getByRole('alert')).toContainText('1 track file changed since the project was saved.');
    await expect.poll(() => titles(page)).toEqual(['Sunrise', 'Noon', 'Evening']);
    await shot(page, info, 'reopened-changed');

    // The burned disc read back to CUE/BIN by the read job, judged by cd-info: three audio tracks and the CD-TEXT.
    await page.getByRole('button', { name: '← All jobs' }).click();
    await page.getByTestId('job-read').click();
    await page.getByRole('listbox', { name: 'Drives' }).getByRole('option', { name: /virtual:cdr/ }).click();
    await page.getByRole('radio', { name: /BIN\/CUE/ }).check();
    await page.getByRole('textbox', { name: 'File name' }).fill('burned');
    const out = (await page.getByTestId('read-output').textContent())!;
    expect(out).toMatch(/burned\.cue$/);
    await page.getByRole('button', { name: 'Read disc' }).click();
    const reading = page.getByRole('dialog', { name: /Reading the disc/ });
    await expect(reading.getByRole('heading', { level: 2 })).toHaveText('Reading the disc — Done', { timeout: 60_000 });
    await shot(page, info, 'read-back');
    const burned = cdInfoTracks(out);
    expect(burned).toMatch(/CD-ROM Track List \(1 - 3\)/);
    expect(burned).toContain('Sunrise');
    expect(readFileSync(out, 'latin1')).toMatch(/TITLE "A Day in Sound"/);
  } finally {
    await page.screenshot({ path: info.outputPath('last.png') }).catch(() => undefined);
    await context.close();
    await stopServe(serve);
    rmSync(home, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  }
  expect(errors, 'browser console errors').toEqual([]);
});
