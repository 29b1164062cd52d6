export default async function globalTeardown(): Promise<void> {
  await globalThis.__HOOKLINE_MONGO__?.stop();
}
