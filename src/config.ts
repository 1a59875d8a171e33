/** The settings now live in src/settings/; this module stays until every importer moves there. */
export * from './settings';
