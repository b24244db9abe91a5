/** What an alert watches; a module of its own so webhook schemas can list the kinds without GraphQL classes. */
export enum AlertKind {
  FAILURE_RATE = 'FAILURE_RATE',
  QUEUE_BACKLOG_AGE = 'QUEUE_BACKLOG_AGE',
  QUEUE_DEPTH = 'QUEUE_DEPTH',
  NO_WORKERS = 'NO_WORKERS',
  ENDPOINT_DISABLED = 'ENDPOINT_DISABLED',
}
