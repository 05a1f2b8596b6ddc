// Builds the browser runtime from js/src into tagmanager/static/tagmanager/runtime/:
//   core.js, core-preview.js   the runtime (consent, banner, Consent Mode, firing, collect, API),
//                              live and preview builds (the preview carries the debug hooks)
//   <kind>/<slug>.js           one piece per tag, trigger, variable and condition type
// tagmanager/loader/build.py puts a loader together from the core and the pieces its container
// uses. The output is committed (installing tagmanager needs no Node); CI builds again and
// fails on any difference. Usage: node js/build.mjs [--check]
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "js", "src");
const output = join(root, "tagmanager", "static", "tagmanager", "runtime");
// Where each kind's pieces come from (js/src/<directory>) and go to (runtime/<kind>).
const KINDS = {
  tags: "tags",
  triggers: "triggers",
  variables: "variables",
  operators: "conditions",
};

// TM_PREVIEW: true in the preview build, false in the live one; unit tests set it on globalThis.
const options = {
  bundle: true,
  write: false,
  minify: true,
  format: "iife",
  // ES2019: optional chaining and ?? are lowered (the runtime needs Object.fromEntries anyway).
  target: ["es2019"],
  legalComments: "none",
  charset: "utf8",
  logLevel: "error",
};

async function bundle(entry, preview) {
  const result = await build({
    ...options,
    ...entry,
    define: { TM_PREVIEW: preview ? "true" : "false" },
  });
  return result.outputFiles[0].text;
}

async function outputs() {
  const files = {
    "core.js": await bundle({ entryPoints: [join(source, "main.js")] }, false),
    "core-preview.js": await bundle({ entryPoints: [join(source, "main.js")] }, true),
  };
  for (const [kind, directory] of Object.entries(KINDS)) {
    for (const name of readdirSync(join(source, directory)).sort()) {
      if (!name.endsWith(".js")) continue;
      const slug = name.slice(0, -3);
      const contents =
        `import type from "./${directory}/${name}";\n` +
        `tmTypes.${kind}[${JSON.stringify(slug)}] = type;\n`;
      files[`${kind}/${slug}.js`] = await bundle(
        { stdin: { contents, resolveDir: source, sourcefile: `${kind}-${slug}.js` } },
        false,
      );
    }
  }
  return files;
}

const files = await outputs();
if (process.argv.includes("--check")) {
  const stale = [];
  const existing = new Set();
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else existing.add(relative(output, path));
    }
  };
  walk(output);
  for (const [name, text] of Object.entries(files)) {
    let current = null;
    try {
      current = readFileSync(join(output, name), "utf8");
    } catch {}
    if (current !== text) stale.push(name);
    existing.delete(name);
  }
  stale.push(...existing);
  if (stale.length) {
    console.error(`Built runtime differs from js/src (run npm run build): ${stale.join(", ")}`);
    process.exit(1);
  }
  console.log(`runtime: ${Object.keys(files).length} files, as committed`);
} else {
  rmSync(output, { recursive: true, force: true });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(output, name)), { recursive: true });
    writeFileSync(join(output, name), text);
  }
  console.log(`runtime: ${Object.keys(files).length} files written`);
}
