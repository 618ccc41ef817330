// Entry of the ML engine process: the engine (ml/) serves the core over the port this process was started with.
import { connectToParent } from '../child-process/parent-port.js';
import { serveEngine } from '../../../ml/engine/engine-process.js';

void serveEngine(connectToParent());
