import { describe } from 'vitest';
import { table } from '../helpers/cases.js';
import { rulesOf } from '../helpers/evaluate.js';

describe('railway commands against the built-in rules', () => {
  table((line) => line, [
    ['railway volume delete --volume pg-data --yes', 'railway.volume.delete'],
    ['railway volumes rm -v pg-data', 'railway.volume.delete'],
    ['railway volume remove', 'railway.volume.delete'],
    ['railway volume -e production delete -v x', 'railway.volume.delete'],
    ['railway volume --environment=production delete', 'railway.volume.delete'],
    ['railway volume delete -yv pg-data', 'railway.volume.delete'],
    ['railway volume files delete /data/x --yes', 'railway.volume.files.delete'],
    ['railway delete -y', 'railway.project.delete'],
    ['railway rm', 'railway.project.delete'],
    ['railway remove -p shop', 'railway.project.delete'],
    ['railway project delete', 'railway.project.delete'],
    ['railway environment delete staging', 'railway.environment.delete'],
    ['railway env rm production -y', 'railway.environment.delete'],
    ['railway service delete -s api', 'railway.service.delete'],
    ['railway variable delete KEY', 'railway.variable.delete'],
    ['railway vars rm KEY', 'railway.variable.delete'],
    ['railway bucket delete -b media', 'railway.bucket.delete'],
    ['railway down -y', 'railway.down'],
    ['railway postgres pitr backup delete b1 b2 -y', 'railway.postgres.backup.delete'],
    ['railway domain delete shop.example.com', 'railway.domain.delete'],
    ['railway functions delete -f fn', 'railway.functions.delete'],
    ['railway fn rm', 'railway.functions.delete'],
    ['railway sandbox destroy', 'railway.sandbox.destroy'],
    ['railway sbx rm', 'railway.sandbox.destroy'],
    // never gated
    ['railway volume delete --help', ''],
    ['railway volume delete -h', ''],
    ['railway help volume delete', ''],
    ['railway status', ''],
    ['railway volume list', ''],
    ['railway logs', ''],
    ['railway run -- rm -rf /tmp/x', ''],
    ['railway run rm', ''],
    ['railway up', ''],
    ['railway environment new staging', ''],
    ['railway link -e production', ''],
  ], (line) => rulesOf(line));
});
