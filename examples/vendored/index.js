'use strict';
const addon = require('./build/Release/vendored_addon.node');
module.exports = addon;
if (require.main === module) console.log('session', new addon.Session().id());
