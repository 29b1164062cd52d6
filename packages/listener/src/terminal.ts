/** Asks for a secret on the terminal, echoing nothing; rejects on Ctrl-C or Ctrl-D. */
export function askSecret(question: string): Promise<string> {
  const { stdin, stderr } = process;
  return new Promise((resolve, reject) => {
    let secret = '';
    const finish = (): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          finish();
          return resolve(secret);
        }
        if (ch === '\u0003' || ch === '\u0004') {
          finish();
          return reject(new Error('no password given'));
        }
        secret = ch === '\u007f' || ch === '\b' ? secret.slice(0, -1) : secret + ch;
      }
    };
    stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
