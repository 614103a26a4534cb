#!/usr/bin/env node
import '../dist/chaperone.js';
