import { status } from '@grpc/grpc-js';
import type { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { ALL_SEARCH_ATTRIBUTES } from '../contract/search-attributes';

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;

const INDEXED_TYPE: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.KEYWORD]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.INT]: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  [SearchAttributeType.TEXT]: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  [SearchAttributeType.BOOL]: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  [SearchAttributeType.DATETIME]: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  [SearchAttributeType.DOUBLE]: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  [SearchAttributeType.KEYWORD_LIST]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/**
 * Registers our custom search attributes on a server that does not have them yet (the
 * time-skipping test server, or a self-hosted cluster). Workflows fail their tasks when they
 * upsert an unregistered attribute, so this runs before any worker does.
 */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const known = await registeredSearchAttributes(connection, namespace);
  const missing = ALL_SEARCH_ATTRIBUTES.filter((key) => !known.has(key.name));
  if (missing.length === 0) return;
  const searchAttributes: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
  for (const key of missing) {
    const type = INDEXED_TYPE[key.type];
    if (type === undefined) throw new Error(`no indexed type for search attribute ${key.name} (${key.type})`);
    searchAttributes[key.name] = type;
  }
  await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
}

/** Names already registered; empty where the server cannot list them (the time-skipping server). */
async function registeredSearchAttributes(connection: Connection, namespace: string): Promise<Set<string>> {
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    return new Set(Object.keys(existing.customAttributes ?? {}));
  } catch (err) {
    if ((err as { code?: number }).code === status.UNIMPLEMENTED) return new Set();
    throw err;
  }
}
