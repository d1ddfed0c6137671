// Attributes a connection's server responses to the client commands that caused them. The
// same code reads the recording and the live replay, so both sides are cut up identically:
// - a response goes to the newest command still in flight, or, when none is, it waits
//   (unsolicited) and is attributed to the connection's next command, or to the trailer;
// - a tagged OK/NO/BAD completes the in-flight command with that tag;
// - "+" while IDLE is in flight is IDLE's continuation (kept and compared); "+" during any
//   other command is a literal continuation request (not compared: the old server never
//   recorded them, and the replay client consumes them while sending); in a recording "+"
//   can also come before the command it serves, since RECEIVED is written once complete;
// - a partial response (no CRLF before the client spoke again, or before close) is kept,
//   marked, so a missing CRLF shows as a difference rather than merging two responses.
import { parseCommand } from "./words.js";

export const NO_CRLF = " ⟨no CRLF⟩";

export interface CommandResponses {
  tag: string;
  /** The command text as recorded (literals inline, no final CRLF). */
  text: string;
  idle: boolean;
  /** Client lines sent while this command ran (DONE, or bad input while idling). */
  inputs: string[];
  responses: string[];
  completed: boolean;
  /** IDLE: the "+" continuation arrived. */
  continued: boolean;
  /** Literal continuation requests ("+") seen while this command ran. */
  literalContinuations: number;
}

export type SinkEvent =
  | { kind: "completion"; command: number }
  | { kind: "continuation"; command: number }
  | { kind: "literal-continuation"; command: number }
  | { kind: "response"; command: number | "trailer"; idling: boolean };

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function isCompletionOf(tag: string, line: string): boolean {
  if (tag === "" || tag === "*" || tag === "+") return false;
  return new RegExp(`^${escapeRe(tag)} (OK|NO|BAD)( |$)`, "i").test(line);
}

export class ResponseSink {
  readonly commands: CommandResponses[] = [];
  readonly trailer: string[] = [];
  /** Responses to the LOGIN that preceded the trace (ours record its tagged OK). */
  readonly login: string[] = [];
  private inLogin: boolean;
  private inFlight: number[] = [];
  private unsolicited: string[] = [];

  /** True while an IDLE command is in flight (client lines are then inputs to it). */
  get idleCommand(): number | undefined {
    const last = this.inFlight[this.inFlight.length - 1];
    return last !== undefined && this.commands[last].idle ? last : undefined;
  }

  /** @param recorded true to read a recording, where LOGIN's answer may come first. */
  constructor(recorded = false) {
    this.inLogin = recorded;
  }

  get inFlightCount(): number {
    return this.inFlight.length;
  }

  startCommand(text: string): number {
    this.inLogin = false;
    const { tag, name } = parseCommand(text);
    const cmd: CommandResponses = {
      tag,
      text,
      idle: name === "IDLE",
      inputs: [],
      responses: this.unsolicited,
      completed: false,
      continued: false,
      literalContinuations: 0,
    };
    this.unsolicited = [];
    this.commands.push(cmd);
    this.inFlight.push(this.commands.length - 1);
    return this.commands.length - 1;
  }

  /** A client line that is not a new command (DONE, or anything sent while idling). */
  input(text: string): void {
    const idle = this.idleCommand;
    if (idle !== undefined) this.commands[idle].inputs.push(text);
  }

  response(line: string): SinkEvent {
    for (let k = this.inFlight.length - 1; k >= 0; k--) {
      const i = this.inFlight[k];
      if (isCompletionOf(this.commands[i].tag, line)) {
        this.commands[i].responses.push(line);
        this.commands[i].completed = true;
        this.inFlight.splice(k, 1);
        return { kind: "completion", command: i };
      }
    }
    const current = this.inFlight[this.inFlight.length - 1];
    if (this.inLogin) {
      // Our own traces start with the LOGIN completion (the user process sends it); the
      // replay client does its own LOGIN, so this part is not compared.
      this.login.push(line);
      if (!/^[*+]/.test(line)) this.inLogin = false;
      return { kind: "response", command: "trailer", idling: false };
    }
    if (current === undefined && /^\+( |$)/.test(line)) {
      // A trace records a command once complete, so the "+" for its literal comes first.
      return { kind: "literal-continuation", command: this.commands.length };
    }
    if (current === undefined) {
      this.unsolicited.push(line);
      return { kind: "response", command: "trailer", idling: false };
    }
    const cmd = this.commands[current];
    if (/^\+( |$)/.test(line)) {
      if (cmd.idle && !cmd.continued) {
        cmd.continued = true;
        cmd.responses.push(line);
        return { kind: "continuation", command: current };
      }
      if (!cmd.idle) {
        cmd.literalContinuations++;
        return { kind: "literal-continuation", command: current };
      }
    }
    cmd.responses.push(line);
    return { kind: "response", command: current, idling: cmd.idle && cmd.continued };
  }

  /** Ends the connection: unsolicited responses after the last command form the trailer. */
  finish(): void {
    this.trailer.push(...this.unsolicited);
    this.unsolicited = [];
  }
}
