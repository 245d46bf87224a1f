/**
 * @stepgate/policy-engine — policy documents and risk signals to a verdict.
 * @packageDocumentation
 */
export { compilePolicy } from './compile.js';
export { parseDuration } from './duration.js';
export type { PolicyErrorCode, PolicyIssue } from './errors.js';
export { POLICY_ERROR_CODES, PolicyError } from './errors.js';
export { haversineKm } from './geo.js';
export { DEFAULT_METHOD_LEVELS, METHOD_PREFERENCE, methodCap } from './methods.js';
export { locatePolicyIssues, parsePolicyDocument } from './parse.js';
export { evaluateTests } from './policy-tests.js';
export { checkRequirement } from './requirement.js';
export { policySchema } from './schema.js';
export { DEFAULT_RISK_WEIGHTS } from './signals.js';
export type {
  CompiledPolicy,
  CompileOptions,
  Condition,
  Duration,
  EnrolledMethod,
  EvaluationInput,
  FailedCondition,
  FieldInfo,
  HistorySnapshot,
  IdpReach,
  InvalidField,
  OnMissing,
  PerformerSpec,
  PolicyDocument,
  PolicyEffect,
  PolicyMode,
  PolicyRule,
  PolicyTestReport,
  PolicyTestResult,
  RequireSpec,
  RiskSettings,
  RiskWeightName,
  SatisfactionInput,
  SatisfactionResult,
  Verdict,
  WhatIfResult,
} from './types.js';
