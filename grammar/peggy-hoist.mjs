// Peggy plugin (used by scripts/gen-parser.mjs): makes the generated parser cheap to call.
//
// Peggy emits one big `peg$parse(input, options)` that re-creates, on EVERY call, ~280 constant
// objects (expectations, regexps), a 120-entry start-rule table and ~420 closures (rules and
// actions). For IMAP, where a command is ~60 bytes, that set-up costs more than the parse itself.
// This pass rewrites the emitted code so that all of it lives once at module level: the
// per-parse variables become module-level `let`s that peg$parse resets on each call. The parser
// is not re-entrant (no action calls parse), which holds for our grammar.
//
// Then, each where it says why: keywords compared in place (fastCaseInsensitive), class tables
// (classTables), `$[class]+` tokens in one loop (scanLoops), and a first pass that records no
// expectations (silentFirstPass). Every rewrite keeps Peggy's semantics exactly:
// test/protocol/plugin-equivalence.test.ts compares the result with the grammar compiled by Peggy
// alone, and bench/parse/diff.ts does the same at scale for any two builds.
//
// The rewrite relies on the shape of Peggy 5's output (top-level statements of peg$parse at
// two-space indentation) and fails the build loudly if that shape is not found.

/** `"KEYWORD"i` matches: Peggy tests `input.substr(pos, n).toLowerCase() === "keyword"`, a
 *  substring and a lower-cased copy for every alternative tried. peg$ci compares character codes
 *  in place instead (ASCII letters either case, anything else exactly), and stops at the first
 *  difference, so the usual failing alternative costs one comparison. For latin1 input (every
 *  command: the wrapper decodes bytes as latin1) that is the same test; a character above 0xFF
 *  (only sub-rule tests) goes to Peggy's own expression. */
function fastCaseInsensitive(code) {
  const literals = new Map(
    [...code.matchAll(/^ {2}const (peg\$c\d+) = ("(?:[^"\\]|\\.)*");$/gm)].map(([, c, v]) => [c, JSON.parse(v)]),
  );
  let n = 0;
  const out = code.replace(
    /^(\s*)(s\d+) = input\.substr\(peg\$currPos, (\d+)\);\n(\s*)if \(\2\.toLowerCase\(\) === (peg\$c\d+)\) \{\n/gm,
    (_m, ind, v, len, ind2, c) => {
      n++;
      const lit = literals.get(c);
      if (lit === undefined || lit.length !== +len || !/^[\x20-\x7e]+$/.test(lit) || lit !== lit.toLowerCase()) {
        throw new Error(`peggy-hoist: case-insensitive literal ${c} is not lower-case printable ASCII`);
      }
      // the first character inline, a necessary condition of peg$ci: most alternatives of an
      // ordered choice of keywords are turned away without a call (a first-letter dispatch)
      const first = `((input.charCodeAt(peg$currPos) | 32) === ${lit.charCodeAt(0) | 32} || input.charCodeAt(peg$currPos) > 255)`;
      return `${ind}if (${first} && peg$ci(${c}, peg$currPos)) {\n${ind2}  ${v} = input.substr(peg$currPos, ${len});\n`;
    },
  );
  if (n === 0) throw new Error("peggy-hoist: no case-insensitive literal found");
  const helper = [
    "  function peg$ci(lit, pos) {",
    "    for (let i = 0; i < lit.length; i++) {",
    "      const a = input.charCodeAt(pos + i); // NaN past the end: no match",
    "      const b = lit.charCodeAt(i);",
    "      if (a === b) continue;",
    "      if (a > 0xff) return input.substr(pos, lit.length).toLowerCase() === lit;",
    "      if ((a | 32) !== b || b < 97 || b > 122) return false;",
    "    }",
    "    return true;",
    "  }",
  ];
  const consts = [...out.matchAll(/^ {2}const peg\$c\d+ = .*;$/gm)];
  const last = consts[consts.length - 1];
  const at = last.index + last[0].length;
  return out.slice(0, at) + "\n" + helper.join("\n") + out.slice(at);
}

/** Character classes: a 256-entry table per class (latin1 input) instead of a RegExp test per
 *  character; characters above 0xFF (only in tests of sub-rules) still go to the RegExp. */
function classTables(code) {
  const regexps = [...code.matchAll(/^ {2}const (peg\$r\d+) = (\/.*\/[a-z]*);$/gm)];
  if (regexps.length === 0) throw new Error("peggy-hoist: no character class found");
  let n = 0;
  const out = code.replace(/(peg\$r\d+)\.test\((s\d+)\)/g, (_m, r, v) => {
    n++;
    return `peg$cls(${r.replace("$r", "$t")}, ${r}, ${v})`;
  });
  if (n === 0) throw new Error("peggy-hoist: no character class test found");
  const tables = regexps.map(([, r]) => `  const ${r.replace("$r", "$t")} = peg$table(${r});`);
  const helpers = [
    "  function peg$table(re) {",
    "    const t = new Uint8Array(256);",
    "    for (let c = 0; c < 256; c++) t[c] = re.test(String.fromCharCode(c)) ? 1 : 0;",
    "    return t;",
    "  }",
    "  function peg$cls(t, re, s) {",
    "    const c = s.charCodeAt(0);",
    "    return c < 256 ? t[c] === 1 : re.test(s);",
    "  }",
  ];
  // tables right after the last RegExp constant (still inside peg$parse; hoist() moves them out)
  const last = regexps[regexps.length - 1];
  const at = last.index + last[0].length;
  return out.slice(0, at) + "\n" + [...tables, ...helpers].join("\n") + out.slice(at);
}

/** `$[class]+` (a token whose text is all that is kept): Peggy still collects every character in
 *  an array and tests each through a one-character string; this scans the table in one loop.
 *  Same position, same result for the `$` (the text), same single expectation record at the
 *  character that ends the run. Only loops directly under `$` are rewritten (elsewhere the array
 *  is the value). */
function scanLoops(code) {
  const loop = new RegExp(
    [
      String.raw`^( *)(s\d+) = \[\];`,
      String.raw`\1(s\d+) = input\.charAt\(peg\$currPos\);`,
      String.raw`\1if \(peg\$cls\((peg\$t\d+), (peg\$r\d+), \3\)\) \{`,
      String.raw`\1  peg\$currPos\+\+;`,
      String.raw`\1\} else \{`,
      String.raw`\1  \3 = peg\$FAILED;`,
      String.raw`\1  if \(peg\$silentFails === 0\) \{ peg\$fail\((peg\$e\d+)\); \}`,
      String.raw`\1\}`,
      String.raw`\1if \(\3 !== peg\$FAILED\) \{`,
      String.raw`\1  while \(\3 !== peg\$FAILED\) \{`,
      String.raw`\1    \2\.push\(\3\);`,
      String.raw`\1    \3 = input\.charAt\(peg\$currPos\);`,
      String.raw`\1    if \(peg\$cls\(\4, \5, \3\)\) \{`,
      String.raw`\1      peg\$currPos\+\+;`,
      String.raw`\1    \} else \{`,
      String.raw`\1      \3 = peg\$FAILED;`,
      String.raw`\1      if \(peg\$silentFails === 0\) \{ peg\$fail\(\6\); \}`,
      String.raw`\1    \}`,
      String.raw`\1  \}`,
      String.raw`\1\} else \{`,
      String.raw`\1  \2 = peg\$FAILED;`,
      String.raw`\1\}`,
      String.raw`\1if \(\2 !== peg\$FAILED\) \{`,
      String.raw`\1  (s\d+) = input\.substring\(\7, peg\$currPos\);`,
      "",
    ].join("\n"),
    "gm",
  );
  let n = 0;
  const out = code.replace(loop, (_m, ind, arr, ch, t, r, e, text) => {
    n++;
    return [
      `${ind}${arr} = peg$scan(${t}, ${r}, ${e});`,
      `${ind}${ch} = peg$FAILED;`,
      `${ind}if (${arr} !== peg$FAILED) {`,
      `${ind}  ${text} = input.substring(${text}, peg$currPos);`,
      "",
    ].join("\n");
  });
  if (n === 0) throw new Error("peggy-hoist: no $[class]+ loop found");
  const helper = [
    "  function peg$scan(t, re, e) {",
    "    const start = peg$currPos;",
    "    for (;;) {",
    "      const c = input.charCodeAt(peg$currPos); // NaN past the end, like charAt's \"\"",
    "      if (!(c < 256 ? t[c] === 1 : re.test(input.charAt(peg$currPos)))) break;",
    "      peg$currPos++;",
    "    }",
    "    if (peg$silentFails === 0) { peg$fail(e); }",
    "    return peg$currPos > start ? true : peg$FAILED;",
    "  }",
  ];
  const at = out.indexOf("  function peg$cls(");
  return out.slice(0, at) + helper.join("\n") + "\n" + out.slice(at);
}

function hoist(code) {
  const lines = scanLoops(classTables(fastCaseInsensitive(code))).split("\n");
  const start = lines.findIndex((l) => l === "function peg$parse(input, options) {");
  if (start < 0) throw new Error("peggy-hoist: peg$parse not found");
  let end = start + 1;
  while (end < lines.length && lines[end] !== "}") end++;
  if (end >= lines.length) throw new Error("peggy-hoist: end of peg$parse not found");

  // split the body into top-level statements
  const stmts = [];
  for (let i = start + 1; i < end; i++) {
    const l = lines[i];
    const top = /^  [^ }\])]/.test(l);
    if (top || stmts.length === 0) stmts.push([l]);
    else stmts[stmts.length - 1].push(l);
  }

  const moduleLevel = [];
  const perCall = [];
  const names = [];
  for (const s of stmts) {
    const first = s[0];
    const text = s.map((l) => l.replace(/^ {2}/, "")).join("\n");
    if (/^ {2}function /.test(first)) {
      moduleLevel.push(text);
      continue;
    }
    const decl = /^ {2}(const|let) ([A-Za-z_$][\w$]*)( = |;)/.exec(first);
    if (decl === null) {
      perCall.push(s.join("\n"));
      continue;
    }
    const name = decl[2];
    if (/^peg\$[cret]\d+$/.test(name) || name === "peg$FAILED" || name === "peg$startRuleFunctions") {
      moduleLevel.push(text); // constant: built once
      continue;
    }
    names.push(name);
    if (decl[3] === ";") continue; // `let x;`: the module-level declaration is enough
    perCall.push(s.join("\n").replace(/^ {2}(const|let) /, "  "));
  }
  if (!names.includes("peg$currPos") || !names.includes("peg$result")) {
    throw new Error("peggy-hoist: unexpected parser shape");
  }

  const out = [
    ...lines.slice(0, start),
    "// per-parse state, reset by peg$run (hoisted by grammar/peggy-hoist.mjs)",
    `let input, options, ${names.join(", ")};`,
    ...moduleLevel,
    ...silentFirstPass(perCall.join("\n")),
    ...lines.slice(end + 1),
  ];
  return out.join("\n");
}

/** Peggy records, for every alternative that fails at the furthest position so far, what it
 *  expected (peg$fail: a fresh array each time that position advances, a push per alternative):
 *  on a 60-byte command that is most of the garbage. Those records only serve the error message,
 *  so the first pass runs with expectations silenced; only a command that fails to parse is
 *  parsed again, exactly as Peggy would, to build the same error. Both passes run the same code
 *  (peg$silentFails changes nothing but the recording) and the actions are pure, so the result
 *  or the exception of the first pass is the one a single recording pass would give. */
function silentFirstPass(body) {
  const silentInit = "  peg$silentFails = options.peg$silentFails | 0;";
  const onFailure = "  if (peg$success) {\n    return peg$result;\n  } else {\n    peg$throw();\n  }";
  if (!body.includes(silentInit) || !body.includes(onFailure)) {
    throw new Error("peggy-hoist: peg$parse's failure handling not found");
  }
  const run = body
    .replace(silentInit, "  peg$silentFails = (options.peg$silentFails | 0) + silent$;")
    .replace(onFailure, "  if (peg$success) {\n    return peg$result;\n  } else {\n    if (silent$ === 1) return peg$RETRY;\n    peg$throw();\n  }");
  return [
    "const peg$RETRY = {};",
    "function peg$parse(input$, options$) {",
    "  if (options$ === undefined || !options$.peg$library) {",
    "    const r = peg$run(input$, options$, 1);",
    "    if (r !== peg$RETRY) return r;",
    "  }",
    "  return peg$run(input$, options$, 0); // the same parse again, recording expectations",
    "}",
    "function peg$run(input$, options$, silent$) {",
    "  input = input$;",
    "  options = options$;",
    run,
    "}",
  ];
}

export function use(config) {
  config.passes.generate.push(function hoistParserState(ast) {
    const code = hoist(ast.code.toString());
    ast.code = { toString: () => code };
  });
}
