// Opens a serial device with a line's settings. The one place that knows
// serialport's option names.
import { SerialPort } from 'serialport';
import type { SerialSettings } from '../config/types.js';

export function openSerial(settings: SerialSettings): SerialPort {
  return new SerialPort({
    path: settings.path,
    baudRate: settings.baudRate,
    dataBits: settings.dataBits,
    parity: settings.parity,
    stopBits: settings.stopBits,
    rtscts: settings.rtscts,
    autoOpen: false,
  });
}
