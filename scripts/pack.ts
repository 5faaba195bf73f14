/**
 * npm run pack: builds @queue-processor/runtime and @queue-processor/construct and writes their
 * tarballs to dist/packages/, as they would be published, with a table of what is in them.
 */
import { rmSync } from "node:fs";
import path from "node:path";
import { printTable } from "../bench/support/table.js";
import { packPackages } from "./packages/pack.js";

const DESTINATION = path.resolve("dist", "packages");
rmSync(DESTINATION, { recursive: true, force: true });
const packed = packPackages(process.cwd(), DESTINATION);
printTable(
  ["package", "version", "tarball", "files", "packed KiB"],
  packed.map((p) => [
    p.name,
    p.version,
    path.relative(process.cwd(), p.tarball),
    String(p.files.length),
    (p.packedBytes / 1024).toFixed(1),
  ]),
);
