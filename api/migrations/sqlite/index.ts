export { Migration20261128100740_initial } from './Migration20261128100740_initial.js';
