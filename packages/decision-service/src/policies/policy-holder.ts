import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { CompiledPolicy } from '@stepgate/policy-engine';
import type { Logger } from 'pino';
import { loadPolicies, type PolicySources } from './load-policies.js';

/** The outcome of a reload. */
export type ReloadResult = { ok: true; version: string; changed: boolean } | { ok: false; error: Error };

/**
 * Holds the compiled policies and swaps them atomically on reload: a request reads `current`
 * once and decides with it, so a reload never drops or mixes a request. A broken new file keeps
 * the old policies running and logs why.
 */
export class PolicyHolder {
  #current: CompiledPolicy;
  readonly #sources: PolicySources;
  readonly #log: Logger;
  #watchers: FSWatcher[] = [];
  #timer: NodeJS.Timeout | undefined;
  #reloads = 0;
  #failedReloads = 0;

  /** @throws PolicyError when the initial policies are invalid (the service does not start). */
  constructor(sources: PolicySources, log: Logger) {
    this.#sources = sources;
    this.#log = log;
    this.#current = loadPolicies(sources);
  }

  /** The compiled policies in force. */
  get current(): CompiledPolicy {
    return this.#current;
  }

  /** Successful reloads so far. */
  get reloads(): number {
    return this.#reloads;
  }

  /** Reloads that failed (the previous policies stayed in force). */
  get failedReloads(): number {
    return this.#failedReloads;
  }

  /** Re-reads every source; keeps the running policies when the new ones are invalid. */
  reload(): ReloadResult {
    try {
      const next = loadPolicies(this.#sources);
      const changed = next.version !== this.#current.version;
      this.#current = next;
      this.#reloads++;
      if (changed) this.#log.info({ policyVersion: next.version }, 'policies reloaded');
      return { ok: true, version: next.version, changed };
    } catch (error) {
      this.#failedReloads++;
      this.#log.error({ err: error }, 'policy reload failed; the previous policies stay in force');
      return { ok: false, error: error as Error };
    }
  }

  /**
   * Watches the policy and IP-list files (their directories, so editors that replace files are
   * seen) and reloads after `debounceMs` of quiet.
   */
  watch(debounceMs = 150): void {
    const files = [...this.#sources.files, ...Object.values(this.#sources.ipListFiles)];
    const byDir = new Map<string, Set<string>>();
    for (const file of files) {
      const names = byDir.get(dirname(file)) ?? new Set();
      names.add(basename(file));
      byDir.set(dirname(file), names);
    }
    for (const [dir, names] of byDir) {
      const watcher = watch(dir, (_event, name) => {
        if (name !== null && !names.has(name.toString())) return;
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => this.reload(), debounceMs);
      });
      watcher.on('error', (err) => this.#log.warn({ err }, 'policy watcher failed'));
      this.#watchers.push(watcher);
    }
  }

  /** Stops watching. */
  close(): void {
    clearTimeout(this.#timer);
    for (const w of this.#watchers) w.close();
    this.#watchers = [];
  }
}
