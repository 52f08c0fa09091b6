// `opentab-operator start`: the operator of a configuration file, until SIGINT or SIGTERM stops it.
// Exported so that a program adding extensions (the benchmark's baseline) starts it the same way.

import { loadConfigFile } from './config/config';
import { startOperator, type OperatorOptions, type RunningOperator } from './operator';

export async function serveOperator(configPath: string, options: OperatorOptions = {}): Promise<RunningOperator> {
  const operator = await startOperator(loadConfigFile(configPath), options);
  const stop = () => void operator.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return operator;
}
