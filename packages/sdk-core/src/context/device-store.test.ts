import { expect } from '@open-wc/testing';
import {
  forgetDevice,
  getDeviceId,
  getDeviceToken,
  rememberDeviceToken,
  STORAGE_KEYS,
} from './device-store.js';

describe('device store', () => {
  afterEach(forgetDevice);

  it('keeps one random device id per browser in localStorage', () => {
    const id = getDeviceId();
    expect(id).to.match(/^[0-9a-f-]{36}$/);
    expect(getDeviceId()).to.equal(id);
    expect(localStorage.getItem(STORAGE_KEYS.deviceId)).to.equal(id);
    forgetDevice();
    expect(getDeviceId()).to.not.equal(id);
  });

  it('falls back to memory when storage throws', () => {
    const { getItem, setItem } = Storage.prototype;
    Storage.prototype.getItem = () => {
      throw new DOMException('blocked', 'SecurityError');
    };
    Storage.prototype.setItem = () => {
      throw new DOMException('blocked', 'QuotaExceededError');
    };
    try {
      const id = getDeviceId();
      expect(getDeviceId()).to.equal(id);
      rememberDeviceToken('tok');
      expect(getDeviceToken()).to.equal('tok');
    } finally {
      Storage.prototype.getItem = getItem;
      Storage.prototype.setItem = setItem;
    }
  });

  it('stores, replaces and forgets the remembered-device token', () => {
    rememberDeviceToken('a.b.c');
    expect(getDeviceToken()).to.equal('a.b.c');
    rememberDeviceToken('');
    expect(getDeviceToken()).to.equal(undefined);
    expect(() => rememberDeviceToken('x'.repeat(2049))).to.throw(TypeError);
  });
});
