export { Migration20261128100740_initial } from './Migration20261128100740_initial.js';
export { Migration20261128101725_status_priority_index } from './Migration20261128101725_status_priority_index.js';
export { Migration20261128113111_status_completed_index } from './Migration20261128113111_status_completed_index.js';
export { Migration20261128134600_lighter_status_indexes } from './Migration20261128134600_lighter_status_indexes.js';
export { Migration20261201124109_throughput_counters } from './Migration20261201124109_throughput_counters.js';
export { Migration20261201232420_task_history } from './Migration20261201232420_task_history.js';
export { Migration20261202004113_simulated_jobs } from './Migration20261202004113_simulated_jobs.js';
export { Migration20261202020925_queues } from './Migration20261202020925_queues.js';
