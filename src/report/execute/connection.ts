// The connection file a Jupyter kernel reads at start: five TCP ports on the loopback interface and
// the HMAC key that signs every message. We pick the ports and the key, as jupyter_client does.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

export interface ConnectionInfo {
  transport: "tcp";
  ip: string;
  shell_port: number;
  iopub_port: number;
  control_port: number;
  stdin_port: number;
  hb_port: number;
  key: string;
  signature_scheme: "hmac-sha256";
  kernel_name: string;
}

export type Channel = "shell" | "iopub" | "control" | "stdin" | "hb";

/**
 * Free TCP ports on `ip`: all listeners are held open together so that the ports differ, then closed.
 * Another process could take a port before the kernel binds it; the window is a few milliseconds.
 */
export async function freePorts(count: number, ip = "127.0.0.1"): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, ip, () => resolve());
      });
      ports.push((server.address() as net.AddressInfo).port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

export async function createConnectionInfo(ip = "127.0.0.1"): Promise<ConnectionInfo> {
  const [shell, iopub, control, stdin, hb] = await freePorts(5, ip);
  return {
    transport: "tcp",
    ip,
    shell_port: shell!,
    iopub_port: iopub!,
    control_port: control!,
    stdin_port: stdin!,
    hb_port: hb!,
    key: crypto.randomBytes(32).toString("hex"),
    signature_scheme: "hmac-sha256",
    kernel_name: "tslab",
  };
}

export function endpoint(info: ConnectionInfo, channel: Channel): string {
  return `${info.transport}://${info.ip}:${info[`${channel}_port`]}`;
}

/** Writes the file into a fresh private folder (the key is a secret); returns the file and a remover. */
export function writeConnectionFile(info: ConnectionInfo): { file: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-kernel-"));
  const file = path.join(dir, "connection.json");
  fs.writeFileSync(file, JSON.stringify(info, null, 2), { mode: 0o600 });
  return { file, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
