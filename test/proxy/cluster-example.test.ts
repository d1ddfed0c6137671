// examples/cluster: nginx accepts its configuration (the real nginx, `nginx -t`), and the shard
// map, the compose file and the package agree with each other. (No Docker engine runs here.)
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { parseShardMap } from "../../src/auth-http/shard-map.js";
import { makeCert, tempDir } from "../daemon/harness.js";
import { NGINX } from "./cluster-harness.js";

const EX = "examples/cluster";
const compose = parseYaml(readFileSync(`${EX}/docker-compose.yml`, "utf8"), { merge: true }) as {
  services: Record<string, { environment?: Record<string, string>; command?: string[]; network_mode?: string;
    networks?: Record<string, { ipv4_address: string }> | string[]; build?: { target?: string; dockerfile?: string } }>;
};

describe("examples/cluster", () => {
  it("nginx.conf passes `nginx -t` (with a test certificate and log paths)", () => {
    const dir = tempDir("asimap-cluster-example-");
    const { cert, key } = makeCert();
    const conf = readFileSync(`${EX}/nginx.conf`, "utf8")
      .replace("/etc/nginx/ssl/cert.pem", cert).replace("/etc/nginx/ssl/key.pem", key)
      .replace("/run/nginx.pid", path.join(dir, "nginx.pid")).replace("/var/log/nginx/error.log", path.join(dir, "error.log"));
    writeFileSync(path.join(dir, "nginx.conf"), conf);
    // (throws, with nginx's complaint, when nginx refuses it)
    execFileSync(NGINX, ["-t", "-q", "-p", dir, "-c", "nginx.conf"], { stdio: ["ignore", "pipe", "pipe"] });
    expect(conf).toMatch(/proxy_protocol on;/);
    expect(conf).toMatch(/auth_http 127\.0\.0\.1:9143/);
  });

  it("the shard map parses and names backends the compose file runs, on their plain port", () => {
    const { map, problems } = parseShardMap(readFileSync(`${EX}/shard-map`, "utf8"));
    expect(problems).toEqual([]);
    const named = [...map.users.values(), map.fallback!];
    for (const b of named) {
      const [host, port] = b.split(":");
      expect(Object.keys(compose.services)).toContain(host);
      expect(compose.services[host].environment?.PLAIN_PORT).toBe(port);
    }
    expect(new Set(named).size).toBe(3);
  });

  it("the backends trust nginx's address, asimapd-auth is on nginx's loopback and is the package's bin", () => {
    const nginxNet = compose.services.nginx.networks as Record<string, { ipv4_address: string }>;
    const nginxIp = nginxNet.cluster.ipv4_address;
    for (const b of ["backend1", "backend2", "backend3"]) expect(compose.services[b].environment?.TRUSTED_PROXIES).toBe(nginxIp);
    const auth = compose.services.auth;
    expect(auth.network_mode).toBe("service:nginx");
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { bin: Record<string, string> };
    expect(auth.command?.[1]).toBe(`/app/${pkg.bin["asimapd-auth"]}`);
    expect(auth.command).toEqual(expect.arrayContaining(["--address", "127.0.0.1", "--port", "9143"]));
    const stages = [...readFileSync("Dockerfile", "utf8").matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]);
    expect(stages).toContain(compose.services.backend1.build?.target);
  });
});
