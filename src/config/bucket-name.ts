/** Dependency-free, so the Lambda functions that check bucket names can bundle it. */

/** S3 general purpose bucket naming rules (AWS S3 user guide, "Bucket naming rules"). */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return "must be 3 to 63 characters long";
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name))
    return "may contain only lowercase letters, digits, dots and hyphens, and must begin and end with a letter or digit";
  if (name.includes("..")) return "must not contain two adjacent dots";
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return "must not be formatted as an IP address";
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name))
    return 'must not start with "xn--", "sthree-" or "amzn-s3-demo-"';
  if (/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name))
    return 'must not end with "-s3alias", "--ol-s3", ".mrap", "--x-s3" or "--table-s3"';
  return undefined;
}
