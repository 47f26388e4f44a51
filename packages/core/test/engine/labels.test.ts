import t from 'tap'
import { parseLabels } from '../../src/engine/labels.js'

t.test('labels are key=value, a bare key has the empty value', async (t) => {
  t.same(parseLabels(['io.swarmgate.test=true', 'a=b=c', 'flag']), { 'io.swarmgate.test': 'true', a: 'b=c', flag: '' })
  t.throws(() => parseLabels(['=x']), { code: 'SG_ERR_LABEL_FORMAT' })
  t.throws(() => parseLabels(['a b=c'], '--label'), { code: 'SG_ERR_LABEL_FORMAT', message: /--label "a b=c"/ })
})
