// Types of the generated validator (scripts/gen-validator.mjs): an Ajv ValidateFunction.
import type { ErrorObject } from 'ajv';

declare const validate: {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
};
export default validate;
