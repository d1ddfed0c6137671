// No Docker engine runs here, so the container files are checked statically: the Dockerfile
// with the VS Code Dockerfile linter, the compose file against the Dockerfile's stages.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { validate } from "dockerfile-utils";
import { parse as parseYaml } from "yaml";

const dockerfile = readFileSync("Dockerfile", "utf8");

describe("Dockerfile", () => {
  it("passes the Dockerfile linter with no problem", () => {
    const problems = validate(dockerfile);
    expect(problems.map((p) => `${p.range.start.line + 1}: ${p.message}`)).toEqual([]);
  });

  it("builds in one stage and runs on a slim Node 20 image as a non-root user", () => {
    const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)].map((m) => [m[1], m[2]]);
    expect(froms).toContainEqual(["node:20-bookworm", "build"]);
    expect(froms).toContainEqual(["node:20-bookworm-slim", "prod"]);
    const prod = dockerfile.slice(dockerfile.indexOf("AS prod"), dockerfile.indexOf("AS dev"));
    expect(prod).toMatch(/^USER app$/m);
    expect(prod).toMatch(/npm prune --omit=dev|--from=build/);
    expect(prod).toContain("/opt/asimap/ssl");
    expect(prod).toContain("/opt/asimap/traces");
  });

  it("runs the compiled asimapd that the package declares", () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8"));
    const cmd = /^CMD \["node", "\/app\/(\S+)"\]/m.exec(dockerfile);
    expect(cmd?.[1]).toBe(pkg.bin.asimapd);
  });
});

describe("docker-compose.yml", () => {
  const compose = parseYaml(readFileSync("docker-compose.yml", "utf8"));
  it("builds services from stages that exist in the Dockerfile", () => {
    const stages = [...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]);
    const services = Object.values(compose.services) as Array<{ build: { target: string }; volumes: string[] }>;
    expect(services.length).toBeGreaterThan(0);
    for (const s of services) {
      expect(stages).toContain(s.build.target);
      expect(s.volumes.some((v) => v.endsWith(":/opt/asimap"))).toBe(true);
    }
  });
});
