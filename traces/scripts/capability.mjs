// What the server offers after LOGIN, and the commands valid in any state.
export default [
  ["a", "A1 CAPABILITY"],
  ["a", "A2 NOOP"],
  ["a", 'A3 ID ("name" "asimap-golden" "version" "1")'],
  ["a", "A4 NAMESPACE"],
  ["a", "A5 LOGOUT"],
];
