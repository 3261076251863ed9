// assembly/address/text.ts through the component: the text grammar, and
// parseAddress(formatAddress(a)) == a over random addresses.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatAddress, parseAddress } from '../../host/index.js';
import { canonical, randomAddress } from '../_helpers/addresses.js';
import { Random } from '../_helpers/random.js';

const parse = suite('parseAddress');

parse('should read plain paths literally, relative ones too', () => {
  assert.equal(parseAddress('/tmp/app.sock'), { path: '/tmp/app.sock' });
  assert.equal(parseAddress('run/app.sock'), { path: 'run/app.sock' });
  assert.equal(parseAddress('/tmp/100%'), { path: '/tmp/100%' });
  assert.equal(parseAddress('/tmp/a\\x41'), { path: '/tmp/a\\x41' }, 'no escapes in plain paths');
});

parse('should read @name as abstract with \\xNN and \\\\ escapes', () => {
  assert.equal(parseAddress('@app'), { abstract: Buffer.from('app') });
  assert.equal(parseAddress('@emb\\x00ed\\x00'), { abstract: Buffer.from('emb\0ed\0', 'latin1') });
  assert.equal(parseAddress('@a\\\\b'), { abstract: Buffer.from('a\\b') });
  assert.equal(parseAddress('@\\xff\\xFE'), { abstract: Buffer.from([0xff, 0xfe]) });
  assert.equal(parseAddress('@'), { abstract: Buffer.alloc(0) }, 'the kernel accepts the empty abstract name');
});

parse('should read unix: and unix:/// URIs with percent escapes (Docker, gRPC)', () => {
  assert.equal(parseAddress('unix:///var/run/docker.sock'), { path: '/var/run/docker.sock' });
  assert.equal(parseAddress('unix:/tmp/a'), { path: '/tmp/a' });
  assert.equal(parseAddress('unix:rel.sock'), { path: 'rel.sock' });
  assert.equal(parseAddress('unix:///tmp/a%20b'), { path: '/tmp/a b' });
  assert.equal(parseAddress('unix:///tmp/%FF'), { path: Buffer.from([...Buffer.from('/tmp/'), 0xff]) });
});

parse('should read unix-abstract:name (gRPC) with percent escapes', () => {
  assert.equal(parseAddress('unix-abstract:grpc%00x'), { abstract: Buffer.from('grpc\0x', 'latin1') });
  assert.equal(parseAddress('unix-abstract:'), { abstract: Buffer.alloc(0) });
});

parse('should refuse bad syntax with the byte offset, and empty or NUL paths', () => {
  const fail = (text: string): unknown => {
    try {
      return parseAddress(text);
    } catch (err) {
      const e = err as { reason: string; offset?: number; code: string };
      assert.is(e.code, 'ERR_INVALID_ARG_VALUE');
      return [e.reason, e.offset];
    }
  };
  assert.equal(fail(''), ['empty-path', undefined]);
  assert.equal(fail('unix:'), ['empty-path', undefined]);
  assert.equal(fail('unix://host/x'), ['bad-syntax', 7]);
  assert.equal(fail('unix://'), ['bad-syntax', 7]);
  assert.equal(fail('unix:/a%zz'), ['bad-syntax', 7]);
  assert.equal(fail('unix:/a%4'), ['bad-syntax', 7]);
  assert.equal(fail('@a\\q'), ['bad-syntax', 2]);
  assert.equal(fail('@a\\x4'), ['bad-syntax', 2]);
  assert.equal(fail('/a\0b'), ['contains-nul', 2]);
  assert.equal(fail('unix:/a%00b'), ['contains-nul', 2]);
  assert.equal(fail('/\ud800'), ['ill-formed-utf16', 1]);
});

parse.run();

// ---

const format = suite('formatAddress');

format('should write the plainest form that parses back', () => {
  assert.is(formatAddress('/tmp/app.sock'), '/tmp/app.sock');
  assert.is(formatAddress('rel.sock'), 'rel.sock');
  assert.is(formatAddress('\0emb\0ed'), '@emb\\x00ed');
  assert.is(formatAddress({ abstract: Buffer.from('a\\b') }), '@a\\\\b');
  assert.is(formatAddress({ path: Buffer.from([0x2f, 0xff]) }), 'unix:///%FF');
  assert.is(formatAddress('@not-abstract'), 'unix:@not-abstract');
  assert.is(formatAddress('unix:x'), 'unix:unix:x');
  assert.is(formatAddress({ unnamed: true }), '');
});

format.run();

// ---

const roundTrip = suite('parseAddress(formatAddress(a))');

roundTrip('should give every random named address back exactly', () => {
  const r = new Random();
  let checked = 0;
  for (let i = 0; i < 20000; i++) {
    const a = randomAddress(r, 'linux');
    if ('unnamed' in a) continue;
    assert.equal(parseAddress(formatAddress(a)), canonical(a), `#${i} ${formatAddress(a)}`);
    checked++;
  }
  assert.ok(checked > 15000);
});

roundTrip.run();
