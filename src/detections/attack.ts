/**
 * The MITRE ATT&CK (Enterprise) techniques trailwatch's detections name, with their tactics, so
 * docs/coverage.md can group detections by tactic. Names and tactics are ATT&CK's own
 * (attack.mitre.org, Enterprise matrix v16); a test checks that every technique id a detection
 * references is listed here.
 */

export type Tactic =
  | "Initial Access"
  | "Execution"
  | "Persistence"
  | "Privilege Escalation"
  | "Defense Evasion"
  | "Credential Access"
  | "Discovery"
  | "Lateral Movement"
  | "Exfiltration"
  | "Impact";

/** Tactics in the order of the ATT&CK Enterprise matrix. */
export const TACTICS: readonly Tactic[] = [
  "Initial Access",
  "Execution",
  "Persistence",
  "Privilege Escalation",
  "Defense Evasion",
  "Credential Access",
  "Discovery",
  "Lateral Movement",
  "Exfiltration",
  "Impact",
];

export interface AttackTechnique {
  readonly name: string;
  readonly tactics: readonly Tactic[];
}

export const ATTACK_TECHNIQUES: Readonly<Record<string, AttackTechnique>> = {
  "T1021.008": {
    name: "Remote Services: Direct Cloud VM Connections",
    tactics: ["Lateral Movement"],
  },
  T1037: {
    name: "Boot or Logon Initialization Scripts",
    tactics: ["Persistence", "Privilege Escalation"],
  },
  "T1078.004": {
    name: "Valid Accounts: Cloud Accounts",
    tactics: ["Initial Access", "Persistence", "Privilege Escalation", "Defense Evasion"],
  },
  "T1087.004": { name: "Account Discovery: Cloud Account", tactics: ["Discovery"] },
  T1098: { name: "Account Manipulation", tactics: ["Persistence", "Privilege Escalation"] },
  "T1098.001": {
    name: "Account Manipulation: Additional Cloud Credentials",
    tactics: ["Persistence", "Privilege Escalation"],
  },
  "T1098.003": {
    name: "Account Manipulation: Additional Cloud Roles",
    tactics: ["Persistence", "Privilege Escalation"],
  },
  "T1136.003": { name: "Create Account: Cloud Account", tactics: ["Persistence"] },
  T1110: { name: "Brute Force", tactics: ["Credential Access"] },
  T1485: { name: "Data Destruction", tactics: ["Impact"] },
  T1486: { name: "Data Encrypted for Impact", tactics: ["Impact"] },
  "T1496.001": { name: "Resource Hijacking: Compute Hijacking", tactics: ["Impact"] },
  "T1496.004": { name: "Resource Hijacking: Cloud Service Hijacking", tactics: ["Impact"] },
  T1526: { name: "Cloud Service Discovery", tactics: ["Discovery"] },
  T1537: { name: "Transfer Data to Cloud Account", tactics: ["Exfiltration"] },
  T1552: { name: "Unsecured Credentials", tactics: ["Credential Access"] },
  "T1552.005": {
    name: "Unsecured Credentials: Cloud Instance Metadata API",
    tactics: ["Credential Access"],
  },
  "T1555.006": {
    name: "Credentials from Password Stores: Cloud Secrets Management Stores",
    tactics: ["Credential Access"],
  },
  "T1562.001": {
    name: "Impair Defenses: Disable or Modify Tools",
    tactics: ["Defense Evasion"],
  },
  "T1562.007": {
    name: "Impair Defenses: Disable or Modify Cloud Firewall",
    tactics: ["Defense Evasion"],
  },
  "T1562.008": {
    name: "Impair Defenses: Disable or Modify Cloud Logs",
    tactics: ["Defense Evasion"],
  },
  "T1578.002": {
    name: "Modify Cloud Compute Infrastructure: Create Cloud Instance",
    tactics: ["Defense Evasion"],
  },
  T1580: { name: "Cloud Infrastructure Discovery", tactics: ["Discovery"] },
  T1648: { name: "Serverless Execution", tactics: ["Execution"] },
  T1651: { name: "Cloud Administration Command", tactics: ["Execution"] },
  T1666: { name: "Modify Cloud Resource Hierarchy", tactics: ["Defense Evasion"] },
};

/** ATT&CK's page for a technique id (`T1098.001` -> .../techniques/T1098/001/). */
export function attackUrl(id: string): string {
  return `https://attack.mitre.org/techniques/${id.replace(".", "/")}/`;
}
