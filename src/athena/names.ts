/** Names of the Athena investigation resources, derived from the configuration. */
export interface AthenaNames {
  /** Glue database (lowercase letters, digits and underscores). */
  readonly database: string;
  /** Glue table over the trail's log files. */
  readonly table: string;
  readonly workgroup: string;
  readonly resultsBucket: string;
  readonly resultsBucketArn: string;
  /** Prefix of every saved query's name. */
  readonly queryPrefix: string;
}

type NameInputs = {
  readonly name: string;
  readonly accountId: string;
  readonly homeRegion: string;
  readonly athena: { readonly resultsBucketName?: string };
};

export function defaultAthenaResultsBucketName(c: NameInputs): string {
  return `${c.name}-athena-${c.accountId}-${c.homeRegion}`;
}

export function athenaNames(c: NameInputs): AthenaNames {
  const resultsBucket = c.athena.resultsBucketName ?? defaultAthenaResultsBucketName(c);
  return {
    // Glue and Athena database names allow no hyphen.
    database: c.name.replace(/-/g, "_"),
    table: "cloudtrail",
    workgroup: c.name,
    resultsBucket,
    resultsBucketArn: `arn:aws:s3:::${resultsBucket}`,
    queryPrefix: `${c.name}-`,
  };
}
