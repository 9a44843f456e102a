// The Jupyter messaging protocol's wire format (protocol 5.3):
//   [routing ids…, "<IDS|MSG>", hmac, header, parent_header, metadata, content, buffers…]
// The hmac is HMAC-SHA256 (hex) over the four JSON frames, keyed with the connection file's key.
import * as crypto from "node:crypto";

export const PROTOCOL_VERSION = "5.3";
const DELIMITER = Buffer.from("<IDS|MSG>");

export interface MessageHeader {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
}

export interface Message<C = Record<string, unknown>> {
  header: MessageHeader;
  /** Empty object when the message answers nothing. */
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

export function newId(): string {
  return crypto.randomUUID();
}

export function createMessage<C extends object>(msgType: string, content: C, session: string): Message<C> {
  return {
    header: {
      msg_id: newId(),
      msg_type: msgType,
      session,
      username: "labreport",
      date: new Date().toISOString(),
      version: PROTOCOL_VERSION,
    },
    parent_header: {},
    metadata: {},
    content,
    buffers: [],
  };
}

function sign(key: string, parts: Array<string | Buffer>): string {
  const hmac = crypto.createHmac("sha256", key);
  for (const p of parts) hmac.update(p);
  return hmac.digest("hex");
}

/** The frames to send on a Dealer socket (no routing ids: the kernel's Router adds ours). */
export function serialize(msg: Message<object>, key: string): Buffer[] {
  const parts = [msg.header, msg.parent_header, msg.metadata, msg.content].map((p) => Buffer.from(JSON.stringify(p)));
  return [DELIMITER, Buffer.from(sign(key, parts)), ...parts, ...msg.buffers];
}

/** Parses received frames; throws on a missing delimiter, a bad signature or malformed JSON. */
export function parse(frames: Buffer[], key: string): Message {
  const at = frames.findIndex((f) => f.equals(DELIMITER));
  if (at < 0 || frames.length < at + 6) throw new Error("malformed Jupyter message: no <IDS|MSG> delimiter or too few frames");
  const signature = frames[at + 1]!.toString("ascii");
  const parts = frames.slice(at + 2, at + 6);
  const expected = Buffer.from(sign(key, parts), "ascii");
  const given = Buffer.from(signature, "ascii");
  // Constant-time comparison: the key is the only thing keeping other local users off the kernel.
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
    throw new Error("Jupyter message with an invalid HMAC signature");
  }
  const [header, parent, metadata, content] = parts.map((p) => JSON.parse(p.toString("utf8")) as unknown);
  return {
    header: header as MessageHeader,
    parent_header: (parent ?? {}) as Partial<MessageHeader>,
    metadata: (metadata ?? {}) as Record<string, unknown>,
    content: (content ?? {}) as Record<string, unknown>,
    buffers: frames.slice(at + 6),
  };
}
