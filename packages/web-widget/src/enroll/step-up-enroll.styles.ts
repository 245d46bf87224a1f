import { css } from 'lit';

/** Layout of `<step-up-enroll>`; colours and sizes come from the shared theme. */
export const styles = css`
  :host {
    max-width: var(--stepgate-width, 26rem);
  }
  ul {
    margin: 0;
    padding: 0;
    list-style: none;
    display: grid;
    gap: 6px;
  }
  li {
    display: flex;
    justify-content: space-between;
    gap: 1em;
    padding: 8px 10px;
    background: var(--_surface);
    border-radius: calc(var(--_radius) * 0.6);
  }
  form,
  [part~='body'],
  [part~='totp'] {
    display: grid;
    gap: var(--_gap);
  }
  [part~='qr'] {
    justify-self: center;
    background: #fff;
    padding: 8px;
    border-radius: calc(var(--_radius) * 0.6);
    image-rendering: pixelated;
  }
  header {
    display: grid;
    gap: 6px;
  }
  [part~='notice'] {
    color: var(--_success);
    font-weight: 600;
  }
  [part~='notice']:empty {
    display: none;
  }
  [part~='add-totp'],
  [part~='add-passkey'] {
    flex: 1 1 12rem;
  }
  code {
    font-size: 1.05em;
    letter-spacing: 0.05em;
    overflow-wrap: anywhere;
  }
`;
