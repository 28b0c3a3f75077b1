// A small job pool in the manner of vscode-eslint's Semaphore: at most `capacity()` jobs at once, each started
// as soon as a slot frees. The capacity is read again before every start, so it follows the endpoints'
// schedulers as they grow and shrink. Jobs come from one iterator, pulled on demand, so a large run never
// holds more prepared jobs than it can run.

export class JobPool<J> {
  private active = 0;

  constructor(private readonly capacity: () => number) {}

  /** Jobs running now. */
  get running(): number {
    return this.active;
  }

  /**
   * Runs `run` for each job of `jobs` until they run out or `stop()` says so (then no new job starts).
   * Resolves when no job is running any more. `run` reports its own outcome: a rejection only frees its slot.
   */
  drain(jobs: Iterator<J>, run: (job: J) => Promise<unknown>, stop: () => boolean): Promise<void> {
    return new Promise<void>((allDone) => {
      let exhausted = false;
      const fill = () => {
        while (!exhausted && !stop() && this.active < this.capacity()) {
          const next = jobs.next();
          if (next.done) {
            exhausted = true;
            break;
          }
          this.active++;
          const done = () => {
            this.active--;
            fill();
          };
          run(next.value).then(done, done);
        }
        if (this.active === 0) allDone();
      };
      fill();
    });
  }
}
