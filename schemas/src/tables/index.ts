/** The ClickHouse tables processes exchange rows through: columns, row types, read expressions. */
export * from './column-types.js';
export * from './events.table.js';
export * from './items.table.js';
export * from './failed-events.table.js';
