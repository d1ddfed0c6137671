// The user process's trace switch: one state for every user it serves. The root owns it (it
// hands the state over with the assignment and on every change, over IPC, so a process started
// after a SIGUSR1 to the root traces as the others do); a SIGUSR1 to this process alone flips it
// here.
import type { TraceRecorder } from "../trace/writer.js";

export class TraceSwitch {
  /** one per user with an open engine (a user is in one engine at a time) */
  private recorders = new Map<string, TraceRecorder>();
  /** told of each change (the log, once there is one) */
  onChange?: (on: boolean, why: string) => void;

  constructor(public on: boolean) {}

  set(on: boolean, why: string): void {
    if (on === this.on) return;
    this.on = on;
    for (const r of this.recorders.values()) r.set(on);
    this.onChange?.(on, why);
  }

  add(user: string, recorder: TraceRecorder): void {
    if (this.on) recorder.set(true);
    this.recorders.set(user, recorder);
  }

  remove(user: string): void {
    this.recorders.delete(user);
  }
}
