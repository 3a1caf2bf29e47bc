import { readFileSync } from "node:fs";
import * as path from "node:path";

/** A JSON Lines file under __tests__/fixtures/, one parsed value per non-empty line. */
export function readFixtureJsonl<T>(...segments: string[]): T[] {
  return readFileSync(path.join(__dirname, "..", "fixtures", ...segments), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);
}
