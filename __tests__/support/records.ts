import { readFileSync } from "node:fs";
import * as path from "node:path";
import { resolveNames } from "../../src/names";
import { watchedResources } from "../../src/app";
import { config } from "../helpers";

export type CloudTrailRecord = Record<string, any> & { eventID: string; _source: string };

function readJsonl(file: string): CloudTrailRecord[] {
  return readFileSync(path.join(__dirname, "..", "fixtures", file), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));
}

/** 734 real CloudTrail records from public sources (see fixtures/SOURCES.md). */
export const REAL_RECORDS = readJsonl("records.jsonl");

/**
 * Records written for events the real set lacks, each modelled on a documented or real record
 * and marked `"_source": "constructed"` with `_modelled_on`; they use the example config's names.
 */
export const CONSTRUCTED_RECORDS = readJsonl("constructed.jsonl");

export const ALL_RECORDS = [...REAL_RECORDS, ...CONSTRUCTED_RECORDS];

export const TEST_KEY = {
  arn: "arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  id: "1234abcd-12ab-34cd-56ef-1234567890ab",
};

/** The example configuration's watched resources, with a literal key in place of Terraform's. */
export const WATCHED = watchedResources(resolveNames(config()), TEST_KEY);
