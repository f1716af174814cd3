import {describe, expect, it} from 'vitest'
import {renderTable} from '../../src/cli/table.js'

describe('renderTable', () => {
  it('aligns columns by terminal width: a CJK name or an emoji takes two columns a character', () => {
    const rows = [{name: '支付服务', status: 'active'}, {name: 'ci-bot 🤖', status: 'revoked'}, {name: 'plain', status: 'active'}]
    const out = renderTable(rows, [{header: 'name', get: (r) => r.name}, {header: 'status', get: (r) => r.status}]).split('\n')
    // Every STATUS value starts in the same terminal column.
    const startColumn = (line: string, value: string) => [...line.slice(0, line.indexOf(value))].reduce((n, ch) => n + (/[\u3000-\u9fff]|\p{Extended_Pictographic}/u.test(ch) ? 2 : 1), 0)
    const columnsAt = out.slice(1).map((line, i) => startColumn(line, rows[i].status))
    expect(new Set(columnsAt).size).toBe(1)
    expect(startColumn(out[0], 'STATUS')).toBe(columnsAt[0])
  })
})
