// Every checkpoint of "A Guide to Transition Your CommCare Infrastructure" (Dimagi), Phases 1–6:
// one row per bullet under each "Checkpoint: Do not proceed to the next phase until the following
// have been completed", with the guide's section and wording (links and brackets dropped). Source:
// the guide's text as shipped with the project brief (shared/seeds, "A Guide to Transition Your
// CommCare Infrastructure"); its Appendix 1 (RFP) asks every MSP for "a matrix of each of the
// checkpoints" — this table is that matrix's rows.
//
// Each row is either automatic (ccready evidence proves it: the named run kinds must be present,
// passing, recent and about the same target) or attested (a person signs it off in the
// attestations file). Rows of the guide's [Optional] sections block nothing when left blank.

/** The ccready runs that can prove a checkpoint. */
export type Proof =
  /** `ccready size --out`: the sizing verdict fits the server within the horizon */
  | 'sizing'
  /** `ccready verify`: the post-install checklist said READY */
  | 'verify'
  /** `ccready gate`: verify + load smoke + integrity audit on the running release */
  | 'gate'
  /** `ccready load run --profile normal|peak --plan <plan from the sizing config>`: thresholds met, nothing lost */
  | 'load-normal'
  | 'load-peak'
  /** a backup-and-restore drill run (`ccready drill backup check`) that passed */
  | 'drill'
  /** `ccready verify monitoring`: host and service indicators present and fresh, alert rules for the sizing limits */
  | 'monitoring'
  /** `ccready verify monitoring --sentry-dsn`: the error-logging endpoint accepted a test event */
  | 'error-logging';

export interface Checkpoint {
  /** stable id used in the attestations file: `<section>-<slug>` */
  id: string;
  phase: number;
  phaseTitle: string;
  /** the guide's section number and title */
  section: string;
  /** the checkpoint as the guide words it */
  text: string;
  /** the guide marks the section [Optional] */
  optional: boolean;
  /** automatic rows name the runs that prove them; attested rows have none */
  proof: Proof[];
}

const P1 = 'System Design and Planning';
const P2 = 'Hardware Procurement & Personnel Resourcing';
const P3 = 'System Installation and CommCare Environment Setup';
const P4 = 'Post-Setup Activities';
const P5 = 'One-Time Data Migration of Collected Data';
const P6 = 'Production Maintenance and Support';

const row = (id: string, phase: number, phaseTitle: string, section: string, text: string, proof: Proof[] = [], optional = false): Checkpoint => ({
  id, phase, phaseTitle, section, text, optional, proof,
});

export const CHECKPOINTS: readonly Checkpoint[] = [
  row('1.2-architecture-diagram', 1, P1, '1.2 System Sizing',
    'System architecture diagram has been created including all planned environments and any systems with which CommCare will be integrated.'),
  row('1.2-app-inventory', 1, P1, '1.2 System Sizing',
    'Inventory of all mobile applications which will be hosted in the local environment, including current released version and number of mobile users has been documented.'),
  row('1.2-scale-timeline', 1, P1, '1.2 System Sizing',
    'Intended scale of the system and timeline to achieve this has been documented.'),
  row('1.2-server-configuration', 1, P1, '1.2 System Sizing',
    'Server configuration has been finalized based on intended system scale and implementation phases.', ['sizing']),
  row('2.2-hosting-agreement', 2, P2, '2.2 Data Center Setup',
    'The program has signed an agreement with an Enterprise / Local Cloud Service Provider OR has completed setup of an On-Premise Data Center.'),
  row('2.3-msp-onboarded', 2, P2, '2.3 Personnel Resourcing',
    'MSP Engineers are onboarded with the CommCare cloud deployment documentation prior to starting the system installation. Each member of the team has reviewed the prerequisites and has completed a quick install on a monolith server.'),
  row('2.4-proxy-url-release', 2, P2, '2.4 Create Secure Migration URL and DNS Planning',
    'A new version of the mobile application(s) have been deployed and released to all users including the Proxy URL.'),
  row('3.1-tests-passed', 3, P3, '3.1 CommCare Installation',
    'Applicable tests as defined in "Testing your new CommCare Environment" are passed.', ['verify']),
  row('3.1-real-conditions', 3, P3, '3.1 CommCare Installation',
    'The system performs in real conditions.', ['gate']),
  row('3.2-linked-environments', 3, P3, '3.2 [Optional] Link Cloud-Based Test or Development Environments',
    'HQ Admin user verifies that CommCare Application configuration may be pushed from a cloud-based development / test environment to an on premise production environment.', [], true),
  row('3.3-app-moved', 3, P3, '3.3 [Optional] One-Time Migration of CommCare Application',
    'HQ Admin user verifies that the CommCare Application has been moved from the current to target project spaces.', [], true),
  row('3.3-link-severed', 3, P3, '3.3 [Optional] One-Time Migration of CommCare Application',
    'HQ Admin user verifies that the connection between the current and target project spaces has been severed.', [], true),
  row('4.1-load-tested', 4, P4, '4.1 System Load Testing',
    'Applicable load and performance tests are run and the system is deemed performant.', ['load-normal', 'load-peak']),
  row('4.2-health-dashboards', 4, P4, '4.2 Configure Monitoring & Error Logging',
    'System health dashboards are configured. Either pre-set dashboards are imported if using DataDog or system health dashboards have been created if using an alternative tool. Dashboards include the indicators outlined on CommCare Infrastructure Metrics.', ['monitoring']),
  row('4.2-error-logging', 4, P4, '4.2 Configure Monitoring & Error Logging',
    'Error logging has been configured using Sentry or alternative tools using the documentation provided.', ['error-logging']),
  row('4.2-monitoring-sop', 4, P4, '4.2 Configure Monitoring & Error Logging',
    'Standard Operating Procedure (SOP) for monitoring infrastructure performance is established.'),
  row('4.3-backup-restore', 4, P4, '4.3 Test Backup and Restore Process',
    'A full backup and restore is completed for the entire system including PostgreSQL, CouchDB, BlobDB, and ElasticSearch.', ['drill']),
  row('4.3-backup-sop', 4, P4, '4.3 Test Backup and Restore Process',
    'A Standard Operating Procedure (SOP) is established for regular full-system backups.'),
  row('5.1-downtime-communicated', 5, P5, '5.1 Data Migration of Collected Data (Final Run)',
    'System downtime has been communicated to end users.', [], true),
  row('5.1-export-requested', 5, P5, '5.1 Data Migration of Collected Data (Final Run)',
    'Request has been made to Dimagi to generate a data export.', [], true),
  row('5.1-data-imported', 5, P5, '5.1 Data Migration of Collected Data (Final Run)',
    'Data has been imported to the new environment using provided documentation.', [], true),
  row('5.1-migration-verified', 5, P5, '5.1 Data Migration of Collected Data (Final Run)',
    'HQ Admin user verifies that the data migration has been completed successfully.', [], true),
  row('6.1-support-sla', 6, P6, '6.1 Ongoing Maintenance and Support',
    'Have established the appropriate Service-Level Agreement (SLA) for ongoing support.'),
  row('6.1-support-staff', 6, P6, '6.1 Ongoing Maintenance and Support',
    'Have professionals available to provide the required levels of support as outlined in the SLA.'),
];

/** What each proof means, in words for the matrix and for "missing" lines. */
export const PROOF_TEXT: Record<Proof, { title: string; command: string }> = {
  sizing: { title: 'sizing verdict fits the server', command: 'ccready size CONFIG --server SPEC --out DIR' },
  verify: { title: 'post-install checklist READY', command: 'ccready verify' },
  gate: { title: 'release gate READY (verify, load smoke, integrity audit)', command: 'ccready gate' },
  'load-normal': { title: 'load test at the normal rate of the sizing plan', command: 'ccready load run --plan PLAN --profile normal' },
  'load-peak': { title: 'load test at the peak rate of the sizing plan', command: 'ccready load run --plan PLAN --profile peak' },
  drill: { title: 'backup-and-restore drill passed', command: 'ccready drill backup check' },
  monitoring: { title: 'monitoring: host and service indicators fresh, alert rules for the sizing limits', command: 'ccready verify monitoring --prometheus URL' },
  'error-logging': { title: 'error logging accepted a test event', command: 'ccready verify monitoring --sentry-dsn DSN' },
};

export const isAttested = (c: Checkpoint): boolean => c.proof.length === 0;
