// Status codes returned by the kernels (assembly/softmax.ts) and by the TypeScript twin.
export const Status = {
  Ok: 0,
  NaN: 1,
  PositiveInfinity: 2,
  MaskedRow: 3,
} as const;
