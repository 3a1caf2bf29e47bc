import { readFixtureJsonl } from "./fixtures";
import { resolveNames } from "../../src/names";
import { watchedResources } from "../../src/detections/watched";
import { config } from "../helpers";

export type CloudTrailRecord = Record<string, any> & { eventID: string; _source: string };

/** 734 real CloudTrail records from public sources (see fixtures/SOURCES.md). */
export const REAL_RECORDS = readFixtureJsonl<CloudTrailRecord>("records.jsonl");

/**
 * Records written for events the real set lacks, each modelled on a documented or real record
 * and marked `"_source": "constructed"` with `_modelled_on`; they use the example config's names.
 */
export const CONSTRUCTED_RECORDS = readFixtureJsonl<CloudTrailRecord>("constructed.jsonl");

export const ALL_RECORDS = [...REAL_RECORDS, ...CONSTRUCTED_RECORDS];

export const TEST_KEY = {
  arn: "arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  id: "1234abcd-12ab-34cd-56ef-1234567890ab",
};

/** The example configuration's watched resources, with a literal key in place of Terraform's. */
export const WATCHED = watchedResources(resolveNames(config()), TEST_KEY);

/**
 * The Stratus Red Team detonation-log records records.jsonl lacks (the rest of each published
 * log; fixtures/SOURCES.md), so each technique is replayed on its whole detonation.
 */
export const DETONATION_RECORDS = readFixtureJsonl<CloudTrailRecord>("stratus-detonations.jsonl");
