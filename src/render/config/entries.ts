/** config.toml as Stalwart reads it: flat dotted keys, each set by one settings field. */

export type ConfigScalar = string | number | boolean;
export type ConfigValue = ConfigScalar | readonly string[];

export interface ConfigEntry {
  /** Flat Stalwart key, e.g. `server.listener.smtp.bind`. */
  key: string;
  value: ConfigValue;
  /** The StalwartConfig field that decides the value, for messages. */
  field: string;
}

export function entry(key: string, value: ConfigValue, field: string): ConfigEntry {
  return { key, value, field };
}

/** A literal inside a Stalwart expression (such as `http.url`) is single-quoted. */
export function expressionLiteral(value: string): string {
  return `'${value}'`;
}
