/**
 * Progress on stderr for the demo's phases: a cli-progress bar on a terminal; otherwise one line when a phase
 * starts and one when it ends (with its time), so logs stay short.
 */
import cliProgress from "cli-progress";

export interface Phase {
  update(done: number, total: number, info?: string): void;
  stop(): number;
}

export function startPhase(stream: NodeJS.WritableStream & { isTTY?: boolean }, label: string, total: number): Phase {
  const t0 = performance.now();
  const seconds = () => (performance.now() - t0) / 1000;
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream, format: `${label.padEnd(28)} [{bar}] {value}/{total} {info} {duration_formatted}`, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { info: "" });
    let stopped: number | undefined;
    return {
      update: (done, t, info) => {
        bar.setTotal(t);
        bar.update(done, { info: info ?? "" });
      },
      stop: () => {
        if (stopped === undefined) {
          bar.stop();
          stopped = seconds();
        }
        return stopped;
      },
    };
  }
  stream.write(`${label}...\n`);
  let stopped: number | undefined;
  return {
    update: () => {},
    stop: () => {
      if (stopped === undefined) {
        stopped = seconds();
        stream.write(`${label}: done in ${stopped.toFixed(1)} s\n`);
      }
      return stopped;
    },
  };
}
