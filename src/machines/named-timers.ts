// A machine's timers by name: arming one replaces only that one, so a
// handshake timeout, a ready timeout and a reconnect never share a handle.
//
// Each name keeps its place for good, never deleted (a fired timer stays
// there for `again`; disarm empties it): a Map that loses and regains a key every
// half second per line rebuilt its table, and those tables, like the timers,
// outlived the young generation. `again` re-arms a timer that has fired with
// the same timer object (the line's presence check, README "The router's
// cost per request").
import type { OneShot, Scheduler } from './scheduler.js';

interface Place {
  timer: OneShot | undefined;
  /** Whether `timer` is waiting to fire (false once it fired or was disarmed). */
  armed: boolean;
}

export class NamedTimers<N extends string> {
  private readonly places = new Map<N, Place>();

  constructor(private readonly scheduler: Scheduler) {}

  arm(name: N, ms: number, fire: () => void): void {
    const place = this.placeOf(name);
    if (place.armed) place.timer!.cancel();
    place.armed = true;
    const timer = this.scheduler.after(ms, () => {
      if (place.timer !== timer || !place.armed) return;
      place.armed = false;
      fire();
    });
    place.timer = timer;
  }

  /**
   * Arms `name` again, for the time and function it was last armed with, if
   * it has fired since (false otherwise: never armed, disarmed, or still
   * waiting; the caller arms it then).
   */
  again(name: N): boolean {
    const place = this.places.get(name);
    if (!place?.timer || place.armed) return false;
    place.armed = true;
    place.timer.refresh();
    return true;
  }

  disarm(name: N): void {
    const place = this.places.get(name);
    if (!place?.timer) return;
    if (place.armed) place.timer.cancel();
    place.armed = false;
    place.timer = undefined;
  }

  disarmAll(): void {
    for (const name of this.places.keys()) this.disarm(name);
  }

  isArmed(name: N): boolean {
    return this.places.get(name)?.armed ?? false;
  }

  private placeOf(name: N): Place {
    let place = this.places.get(name);
    if (!place) this.places.set(name, (place = { timer: undefined, armed: false }));
    return place;
  }
}
